/* Generated from claim.schema.json by scripts/generate-model-types.mjs (npm run gen:types). Do not edit. */

/**
 * A calendar date, YYYY-MM-DD.
 */
export type CalendarDate = string;
/**
 * National Provider Identifier: 10 digits, the last a Luhn check digit over the prefix 80840 and the first nine.
 */
export type Npi = string;
/**
 * An amount in US dollars.
 */
export type Money = number;

/**
 * One professional claim (837P 005010X222A1 / CMS-1500) in claimscrub's canonical form. Canonical values: dates are YYYY-MM-DD; ICD-10-CM codes are written as printed in the code set, with their dot (E11.9); money is in US dollars as a number (compare in cents); diagnosis pointers are 1-based positions in `diagnoses`. The patient is always described in `patient`, also when the patient is the subscriber (relationship `self`).
 */
export interface ProfessionalClaim {
  /**
   * The practice's claim id: the patient control number (837P CLM01, CMS-1500 box 26).
   */
  id: string;
  /**
   * Total claim charge in dollars (CLM02, box 28).
   */
  totalCharge: number;
  /**
   * Claim place of service code (CLM05-1), two digits from CMS's place of service list.
   */
  placeOfService?: string;
  /**
   * Claim frequency code (CLM05-3, box 22): 1 original, 7 replacement, 8 void.
   */
  frequencyCode?: '1' | '6' | '7' | '8';
  /**
   * The payer's claim number of the claim being replaced or voided (REF*F8, box 22); required with frequency 7 or 8.
   */
  originalClaimNumber?: string;
  /**
   * Prior authorization number (REF*G1, box 23).
   */
  priorAuthorization?: string;
  /**
   * Referral number (REF*9F, box 23).
   */
  referralNumber?: string;
  /**
   * Claim note (NTE, box 19).
   */
  note?: string;
  payer: Payer;
  subscriber: Subscriber;
  patient: Patient;
  billingProvider: BillingProvider;
  renderingProvider?: IndividualProvider;
  referringProvider?: IndividualProvider;
  serviceFacility?: ServiceFacility;
  /**
   * Diagnoses in order (HI, box 21 A-L); position 1 is the principal diagnosis.
   *
   * @minItems 1
   * @maxItems 12
   */
  diagnoses:
    | [Diagnosis]
    | [Diagnosis, Diagnosis]
    | [Diagnosis, Diagnosis, Diagnosis]
    | [Diagnosis, Diagnosis, Diagnosis, Diagnosis]
    | [Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis]
    | [Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis]
    | [Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis]
    | [Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis]
    | [Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis]
    | [Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis, Diagnosis]
    | [
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis
      ]
    | [
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis,
        Diagnosis
      ];
  /**
   * Service lines (loop 2400, box 24), in order; line numbers in reports are 1-based positions here.
   *
   * @minItems 1
   * @maxItems 50
   */
  serviceLines: [ServiceLine, ...ServiceLine[]];
  /**
   * Other payers of this claim for coordination of benefits (loop 2320/2330); on a secondary claim, the primary payer with its adjudication.
   *
   * @maxItems 10
   */
  otherPayers?:
    | []
    | [OtherPayer]
    | [OtherPayer, OtherPayer]
    | [OtherPayer, OtherPayer, OtherPayer]
    | [OtherPayer, OtherPayer, OtherPayer, OtherPayer]
    | [OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer]
    | [OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer]
    | [OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer]
    | [OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer]
    | [OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer, OtherPayer]
    | [
        OtherPayer,
        OtherPayer,
        OtherPayer,
        OtherPayer,
        OtherPayer,
        OtherPayer,
        OtherPayer,
        OtherPayer,
        OtherPayer,
        OtherPayer
      ];
}
export interface Payer {
  /**
   * Payer id as the clearinghouse knows it (2010BB NM109).
   */
  id: string;
  name?: string;
  /**
   * This payer's responsibility for the claim (SBR01).
   */
  responsibility: 'primary' | 'secondary' | 'tertiary';
  /**
   * Kind of plan (SBR09): MB Medicare Part B, MC Medicaid, CI commercial, BL Blue Cross/Blue Shield, HM HMO, 16 Medicare Advantage HMO, and the rest of the X12 list.
   */
  claimFilingIndicator:
    | '11'
    | '12'
    | '13'
    | '14'
    | '15'
    | '16'
    | '17'
    | 'AM'
    | 'BL'
    | 'CH'
    | 'CI'
    | 'DS'
    | 'FI'
    | 'HM'
    | 'LM'
    | 'MA'
    | 'MB'
    | 'MC'
    | 'OF'
    | 'TV'
    | 'VA'
    | 'WC'
    | 'ZZ';
}
export interface Subscriber {
  /**
   * Member id on the payer's card (2010BA NM109); for traditional Medicare the MBI.
   */
  memberId: string;
  groupNumber?: string;
  firstName?: string;
  lastName: string;
  dateOfBirth?: CalendarDate;
  sex?: 'F' | 'M' | 'U';
  address?: Address;
}
export interface Address {
  line1: string;
  line2?: string;
  city: string;
  state: string;
  /**
   * ZIP code, 5 or 9 digits (no dash).
   */
  postalCode: string;
}
export interface Patient {
  /**
   * The patient's relationship to the subscriber (PAT01 / SBR02).
   */
  relationship: 'self' | 'spouse' | 'child' | 'other';
  firstName?: string;
  lastName: string;
  dateOfBirth: CalendarDate;
  sex: 'F' | 'M' | 'U';
  address?: Address;
}
export interface BillingProvider {
  npi: Npi;
  /**
   * EIN or SSN, 9 digits.
   */
  taxId?: string;
  /**
   * Health care provider taxonomy code (PRV03).
   */
  taxonomy?: string;
  name: string;
  address?: Address;
}
export interface IndividualProvider {
  npi: Npi;
  firstName?: string;
  lastName?: string;
  taxonomy?: string;
}
export interface ServiceFacility {
  npi?: Npi;
  name: string;
  address?: Address;
}
export interface Diagnosis {
  /**
   * The diagnosis code as printed in its code set (E11.9).
   */
  code: string;
  /**
   * The code set, from the HI qualifier: icd10cm (ABK/ABF, the default) or icd9cm (BK/BF, before 2015-10-01).
   */
  codeSet?: 'icd10cm' | 'icd9cm';
}
export interface ServiceLine {
  /**
   * CPT or HCPCS Level II code (SV101-2, box 24D).
   */
  procedureCode: string;
  /**
   * Up to four two-character modifiers (SV101-3..6).
   *
   * @maxItems 4
   */
  modifiers?: [] | [string] | [string, string] | [string, string, string] | [string, string, string, string];
  charge: Money;
  /**
   * Service units (SV104), or minutes when unitType is MJ.
   */
  units: number;
  /**
   * UN units (the default) or MJ minutes (anesthesia).
   */
  unitType?: 'UN' | 'MJ';
  /**
   * Documented session length in minutes, when the practice system sends it (psychotherapy, anesthesia). Absent in plain 837P except through MJ units.
   */
  minutes?: number;
  /**
   * A calendar date, YYYY-MM-DD.
   */
  serviceDate: string;
  /**
   * A calendar date, YYYY-MM-DD.
   */
  serviceDateEnd?: string;
  /**
   * Line place of service (SV105), when it differs from the claim's.
   */
  placeOfService?: string;
  /**
   * 1-based positions in the claim's diagnoses (SV107, box 24E), up to four, the first the primary.
   *
   * @maxItems 4
   */
  diagnosisPointers?: [] | [number] | [number, number] | [number, number, number] | [number, number, number, number];
  ndc?: Ndc;
  renderingProvider?: IndividualProvider;
  /**
   * Earlier payers' adjudication of this line, on secondary and tertiary claims.
   */
  adjudications?: LineAdjudication[];
}
export interface Ndc {
  /**
   * National Drug Code in 11-digit 5-4-2 form without dashes.
   */
  code: string;
  quantity?: number;
  /**
   * F2 international unit, GR gram, ME milligram, ML milliliter, UN unit.
   */
  unit?: 'F2' | 'GR' | 'ME' | 'ML' | 'UN';
}
/**
 * An earlier payer's adjudication of this line (loop 2430: SVD, CAS, DTP*573).
 */
export interface LineAdjudication {
  payerId: string;
  paidAmount: Money;
  paidUnits?: number;
  adjudicationDate?: CalendarDate;
  adjustments?: Adjustment[];
}
/**
 * A claim adjustment (CAS): group code, reason code (CARC), amount and optional quantity.
 */
export interface Adjustment {
  group: 'CO' | 'CR' | 'OA' | 'PI' | 'PR';
  reason: string;
  amount: Money;
  quantity?: number;
}
export interface OtherPayer {
  payerId: string;
  name?: string;
  responsibility: 'primary' | 'secondary' | 'tertiary';
  /**
   * Kind of plan (SBR09): MB Medicare Part B, MC Medicaid, CI commercial, BL Blue Cross/Blue Shield, HM HMO, 16 Medicare Advantage HMO, and the rest of the X12 list.
   */
  claimFilingIndicator?:
    | '11'
    | '12'
    | '13'
    | '14'
    | '15'
    | '16'
    | '17'
    | 'AM'
    | 'BL'
    | 'CH'
    | 'CI'
    | 'DS'
    | 'FI'
    | 'HM'
    | 'LM'
    | 'MA'
    | 'MB'
    | 'MC'
    | 'OF'
    | 'TV'
    | 'VA'
    | 'WC'
    | 'ZZ';
  memberId?: string;
  /**
   * An amount in US dollars.
   */
  paidAmount?: number;
  adjudicationDate?: CalendarDate;
  adjustments?: Adjustment[];
}
