export type { ChunkOptions, InputFormat, ParseError, ParsedItem, RawChunk } from './types.js';
export { DEFAULT_CHUNK_OPTIONS } from './types.js';
export { chunkInput, resolveOptions } from './chunk.js';
export { FormatDetector, detectFormat, type Detection, type InputLayout } from './detect.js';
export { forEachParsedItem, parseChunk, findSyntaxError } from './parse.js';
export { READ_SIZE, STDIN_NAME, inputName, openInput } from './open.js';
