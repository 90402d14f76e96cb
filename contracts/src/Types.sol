// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

/// @dev Shared types of the Tillid contracts. Only ids, hashes, amounts (øre), dates (see Dates.sol)
/// and enum codes: nothing personal and no free text ever reaches the chain.

/// @dev Bit positions in a member's role mask (`1 << uint8(Role.X)`).
enum Role {
    Caseworker,
    CentreChief,
    Director,
    Finance,
    ProviderSignatory,
    Auditor,
    Keeper,
    Admin
}

enum OrgKind {
    None,
    Municipality,
    Provider
}

enum Party {
    Municipality,
    Provider
}

enum Unit {
    Month,
    Hour,
    Session
}

enum ScheduleKind {
    Monthly,
    Sessions
}

enum PaymentTiming {
    Arrears,
    Advance
}

enum AgreementStatus {
    None,
    Draft,
    AwaitingApproval,
    AwaitingMain,
    Active,
    Terminated,
    Expired
}

enum VersionStatus {
    None,
    Proposed,
    AwaitingApproval,
    AwaitingMain,
    Effective,
    Superseded,
    Withdrawn
}

enum ReviewDecision {
    None,
    Continue,
    Adjust,
    End
}

enum MonthStatus {
    None,
    Approved,
    Withheld,
    Released,
    Paid
}

/// @dev Reasons a month is withheld (codes, not text).
uint8 constant REASON_REPORT_OVERDUE = 1;

/// @dev `Sessions`: `hoursPerSession` hours every `everyWeeks` weeks on ISO `weekday` (1 = Monday),
/// starting at `anchor` (a date on that weekday).
struct Schedule {
    ScheduleKind kind;
    uint16 hoursPerSession;
    uint8 everyWeeks;
    uint8 weekday;
    uint64 anchor;
}

/// @dev `end` and `reviewDate` are 0 when open / none. Price in øre per unit.
struct Line {
    uint128 price;
    Unit unit;
    Schedule schedule;
    uint64 start;
    uint64 end;
    Party arrangedBy;
    uint64 reviewDate;
}

/// @dev Ends line `index` on `effectiveFrom - 1 day` and, when `price > 0`, continues it as a new line
/// from `effectiveFrom` with the new price, end and review date.
struct LineChange {
    uint16 index;
    uint64 effectiveFrom;
    uint128 price;
    uint64 end;
    uint64 reviewDate;
}

/// @dev Template terms (KL standard contract for the specialised children's area).
/// `reportGraceDays` 0 means the default of 14.
struct Terms {
    uint16 municipalityNoticeDays;
    uint16 providerNoticeDays;
    PaymentTiming paymentTiming;
    uint16 paymentDeadlineDays;
    uint8 reportEveryMonths;
    uint16 reportGraceDays;
}

struct DraftInput {
    uint16 municipality;
    uint32 provider;
    bytes32 caseRef;
    uint32 kle;
    bytes32 templateId;
    bytes32 mainAgreement;
    uint64 start;
    Terms terms;
}

struct Agreement {
    uint16 municipality;
    uint32 provider;
    AgreementStatus status;
    uint16 versionCount;
    uint16 effectiveVersion;
    uint16 pendingVersion;
    uint32 kle;
    uint64 start;
    uint64 end;
    uint64 activatedAt;
    bytes32 caseRef;
    bytes32 templateId;
    bytes32 mainAgreement;
    address drafter;
    Terms terms;
    uint64 pendingTerminationDate;
    uint8 pendingTerminationBy;
    uint256 lineEndNotified;
}

struct Version {
    VersionStatus status;
    bool municipalitySigned;
    bool providerSigned;
    uint8 approvalWeight;
    address proposer;
    address municipalitySigner;
    address providerSigner;
    uint64 signedAt;
    uint128 monthlyValue;
    uint128 valueIncrease;
    Line[] lines;
}
