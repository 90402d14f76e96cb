// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {Dates} from "./Dates.sol";
import {Directory} from "./Directory.sol";
import {
    Agreement,
    AgreementStatus,
    DraftInput,
    Line,
    LineChange,
    Party,
    Role,
    Schedule,
    ScheduleKind,
    Unit,
    Version,
    VersionStatus
} from "./Types.sol";

/// @title AgreementRegistry
/// @notice Every agreement between a municipality and a provider, keyed by a bytes32 id: parties, case
/// reference hash, KLE code, template terms, versioned service lines, signatures, weighted approval,
/// activation (after its main agreement, for a related one), termination with cascade, expiry, status
/// reports and review dates. Dates are Unix seconds at 00:00 UTC of the business date (see Dates.sol).
/// @dev Versions are complete snapshots of the line list. An amendment copies the effective lines, ends
/// changed lines the day before the change and appends their successors, so the effective version always
/// describes every day of the agreement and a signed version is never written to again.
contract AgreementRegistry is Multicall {
    using Dates for uint256;

    uint256 internal constant MAX_LINES = 64;
    uint16 internal constant DEFAULT_GRACE_DAYS = 14;
    uint8 internal constant CAUSE_MUTUAL = 0;
    uint8 internal constant CAUSE_MUNICIPALITY = 1;
    uint8 internal constant CAUSE_PROVIDER = 2;
    uint8 internal constant CAUSE_MAIN_TERMINATED = 3;

    Directory public immutable directory;
    address public immutable deployer;
    /// @notice The Obligations contract, which alone may apply review decisions.
    address public obligations;

    mapping(bytes32 id => Agreement) internal _agreements;
    mapping(bytes32 id => mapping(uint16 version => Version)) internal _versions;
    /// @notice Whether `approver` has approved `version` of agreement `id`.
    mapping(bytes32 id => mapping(uint16 version => mapping(address approver => bool))) public hasApproved;
    mapping(bytes32 id => bytes32[]) internal _dependants;

    error NotDeployer(address account);
    error ObligationsAlreadySet();
    error InvalidAgreementId();
    error AgreementExists(bytes32 id);
    error UnknownAgreement(bytes32 id);
    error UnknownOrganisation(uint40 org);
    error MissingRole(address account, uint40 org, Role role);
    error NotAParty(address account, bytes32 id);
    error InvalidDate(uint64 date);
    error InvalidLine(uint256 index);
    error InvalidLineCount(uint256 count);
    error InvalidMainAgreement(bytes32 mainAgreement);
    error InvalidStatus(bytes32 id, AgreementStatus status);
    error AmendmentPending(bytes32 id, uint16 version);
    error DateInPast(uint64 date, uint64 today);
    error UnknownVersion(bytes32 id, uint16 version);
    error VersionNotOpen(bytes32 id, uint16 version, VersionStatus status);
    error AlreadySigned(bytes32 id, uint16 version, Party party);
    error NotAnApprover(address account, uint16 municipality);
    error SelfApproval(address account);
    error AlreadyApproved(bytes32 id, uint16 version, address account);
    error NoticeTooShort(uint64 effectiveDate, uint64 earliest);
    error NotObligations(address account);
    error InvalidLineEnd(bytes32 id, uint16 lineIndex, uint64 end);

    event AgreementDrafted(
        bytes32 indexed id,
        uint16 indexed municipality,
        uint32 indexed provider,
        bytes32 caseRef,
        uint32 kle,
        bytes32 templateId,
        bytes32 mainAgreement,
        uint64 start,
        address drafter
    );
    event VersionProposed(
        bytes32 indexed id, uint16 version, address indexed proposer, uint128 monthlyValue, uint128 valueIncrease
    );
    event VersionSigned(bytes32 indexed id, uint16 version, Party party, address indexed signer);
    event VersionAwaitingApproval(bytes32 indexed id, uint16 version, uint128 value, uint128 threshold);
    event VersionApproved(
        bytes32 indexed id, uint16 version, address indexed approver, uint8 weight, uint8 totalWeight
    );
    event VersionAwaitingMain(bytes32 indexed id, uint16 version, bytes32 indexed mainAgreement);
    event VersionEffective(bytes32 indexed id, uint16 version);
    event AgreementActivated(bytes32 indexed id, uint16 version, uint64 start);
    event TerminationProposed(bytes32 indexed id, Party party, address indexed signer, uint64 effectiveDate);
    event AgreementTerminated(bytes32 indexed id, uint64 effectiveDate, uint8 cause, bytes32 indexed mainAgreement);
    event AgreementExpired(bytes32 indexed id, uint64 lastDay);
    event LineEnded(bytes32 indexed id, uint16 lineIndex, uint64 end);
    event VersionWithdrawn(bytes32 indexed id, uint16 version, address indexed withdrawnBy);
    event ObligationsConnected(address indexed obligations);

    constructor(Directory directory_) {
        directory = directory_;
        deployer = msg.sender;
    }

    // ----------------------------------------------------------------------------------------------
    // Set-up
    // ----------------------------------------------------------------------------------------------

    /// @notice Connects the Obligations contract (status reports and reviews). Deployer only, once.
    function setObligations(address obligations_) external {
        if (msg.sender != deployer) revert NotDeployer(msg.sender);
        if (obligations != address(0)) revert ObligationsAlreadySet();
        obligations = obligations_;
        emit ObligationsConnected(obligations_);
    }

    // ----------------------------------------------------------------------------------------------
    // Drafting and amending
    // ----------------------------------------------------------------------------------------------

    /// @notice Drafts agreement `id` (version 1) between `d.municipality` and provider `d.provider`.
    /// Only a caseworker of the municipality may draft. A related agreement names its main agreement,
    /// which must belong to the same municipality and not have ended. A grace of 0 days means 14.
    function draftAgreement(bytes32 id, DraftInput calldata d, Line[] calldata lines) external {
        if (id == bytes32(0)) revert InvalidAgreementId();
        Agreement storage a = _agreements[id];
        if (a.status != AgreementStatus.None) revert AgreementExists(id);
        _requireRole(directory.municipalityOrg(d.municipality), Role.Caseworker);
        uint40 providerOrg = directory.providerOrg(d.provider);
        if (!directory.registered(providerOrg)) revert UnknownOrganisation(providerOrg);
        if (!uint256(d.start).isDate() || d.start == 0) revert InvalidDate(d.start);
        if (d.mainAgreement != bytes32(0)) {
            Agreement storage main = _agreements[d.mainAgreement];
            if (
                main.status == AgreementStatus.None || main.status >= AgreementStatus.Terminated
                    || main.municipality != d.municipality || d.mainAgreement == id
            ) revert InvalidMainAgreement(d.mainAgreement);
            _dependants[d.mainAgreement].push(id);
        }
        if (lines.length == 0 || lines.length > MAX_LINES) revert InvalidLineCount(lines.length);

        a.municipality = d.municipality;
        a.provider = d.provider;
        a.status = AgreementStatus.Draft;
        a.versionCount = 1;
        a.pendingVersion = 1;
        a.kle = d.kle;
        a.start = d.start;
        a.caseRef = d.caseRef;
        a.templateId = d.templateId;
        a.mainAgreement = d.mainAgreement;
        a.drafter = msg.sender;
        a.terms = d.terms;
        if (a.terms.reportGraceDays == 0) a.terms.reportGraceDays = DEFAULT_GRACE_DAYS;

        Version storage v = _versions[id][1];
        v.status = VersionStatus.Proposed;
        v.proposer = msg.sender;
        uint128 value;
        for (uint256 i; i < lines.length; ++i) {
            _validateLine(lines[i], d.start, i);
            v.lines.push(lines[i]);
            value += monthlyValueOf(lines[i]);
        }
        v.monthlyValue = value;
        v.valueIncrease = value;
        emit AgreementDrafted(
            id, d.municipality, d.provider, d.caseRef, d.kle, d.templateId, d.mainAgreement, d.start, msg.sender
        );
        emit VersionProposed(id, 1, msg.sender, value, value);
    }

    /// @notice Proposes the next version of active agreement `id`: `changed` lines end the day before
    /// their change and continue as new lines (unless the new price is 0), `added` lines are appended.
    /// Nothing may change retroactively. Caseworker of the municipality; one open proposal at a time.
    /// Needs both signatures, and approval when the monthly value increase exceeds the threshold.
    function proposeAmendment(bytes32 id, Line[] calldata added, LineChange[] calldata changed)
        external
        returns (uint16 version)
    {
        Agreement storage a = _requireStatus(id, AgreementStatus.Active);
        if (a.pendingVersion != 0) revert AmendmentPending(id, a.pendingVersion);
        _requireRole(directory.municipalityOrg(a.municipality), Role.Caseworker);
        uint64 today = Dates.dayOf(block.timestamp);
        Line[] storage current = _versions[id][a.effectiveVersion].lines;
        if (current.length + added.length + changed.length > MAX_LINES || added.length + changed.length == 0) {
            revert InvalidLineCount(current.length + added.length + changed.length);
        }

        version = a.versionCount + 1;
        a.versionCount = version;
        a.pendingVersion = version;
        Version storage v = _versions[id][version];
        v.status = VersionStatus.Proposed;
        v.proposer = msg.sender;
        for (uint256 i; i < current.length; ++i) {
            v.lines.push(current[i]);
        }
        uint128 increase;
        for (uint256 i; i < changed.length; ++i) {
            increase += _applyChange(v.lines, changed[i], today);
        }
        for (uint256 i; i < added.length; ++i) {
            if (added[i].start < today) revert DateInPast(added[i].start, today);
            _validateLine(added[i], a.start, v.lines.length);
            v.lines.push(added[i]);
            increase += monthlyValueOf(added[i]);
        }
        v.monthlyValue = _versions[id][a.effectiveVersion].monthlyValue + increase;
        v.valueIncrease = increase;
        emit VersionProposed(id, version, msg.sender, v.monthlyValue, increase);
    }

    /// @notice Withdraws the open amendment `version` (≥ 2) of agreement `id` before it takes effect, so a
    /// new one can be proposed; the agreement stays in force on its effective version. Caseworker of the
    /// municipality only.
    function withdrawVersion(bytes32 id, uint16 version) external {
        Agreement storage a = _requireStatus(id, AgreementStatus.Active);
        if (version < 2 || version != a.pendingVersion) revert UnknownVersion(id, version);
        _requireRole(directory.municipalityOrg(a.municipality), Role.Caseworker);
        _versions[id][version].status = VersionStatus.Withdrawn;
        a.pendingVersion = 0;
        emit VersionWithdrawn(id, version, msg.sender);
    }

    // ----------------------------------------------------------------------------------------------
    // Signing, approval, activation
    // ----------------------------------------------------------------------------------------------

    /// @notice Signs `version` of agreement `id` for the caller's party: a caseworker signs for the
    /// municipality, a provider signatory for the provider. Once both have signed, the version takes
    /// effect — unless its value exceeds the municipality's threshold (then it awaits weighted approval)
    /// or, for a related agreement, its main agreement is not active yet.
    function signVersion(bytes32 id, uint16 version) external {
        Agreement storage a = _requireExists(id);
        Version storage v = _openVersion(id, a, version, VersionStatus.Proposed);
        Party party = _partyOf(a, id);
        if (party == Party.Municipality) {
            if (v.municipalitySigned) revert AlreadySigned(id, version, party);
            v.municipalitySigned = true;
            v.municipalitySigner = msg.sender;
        } else {
            if (v.providerSigned) revert AlreadySigned(id, version, party);
            v.providerSigned = true;
            v.providerSigner = msg.sender;
        }
        emit VersionSigned(id, version, party, msg.sender);
        if (!(v.municipalitySigned && v.providerSigned)) return;

        v.signedAt = uint64(block.timestamp);
        Directory.Policy memory p = directory.policyOf(a.municipality);
        if (v.valueIncrease > p.thresholdOre) {
            v.status = VersionStatus.AwaitingApproval;
            if (version == 1) a.status = AgreementStatus.AwaitingApproval;
            emit VersionAwaitingApproval(id, version, v.valueIncrease, p.thresholdOre);
        } else {
            _approved(id, a, version, v);
        }
    }

    /// @notice Approves `version` of agreement `id`, adding the caller's policy weight (centre chief or
    /// director of the municipality). The drafter/proposer cannot approve their own version, nor can
    /// anyone approve twice. The version proceeds when the total weight reaches the policy's `needed`.
    function approveVersion(bytes32 id, uint16 version) external {
        Agreement storage a = _requireExists(id);
        Version storage v = _openVersion(id, a, version, VersionStatus.AwaitingApproval);
        uint8 weight = directory.approvalWeight(a.municipality, msg.sender);
        if (weight == 0) revert NotAnApprover(msg.sender, a.municipality);
        if (msg.sender == v.proposer || msg.sender == v.municipalitySigner) revert SelfApproval(msg.sender);
        if (hasApproved[id][version][msg.sender]) revert AlreadyApproved(id, version, msg.sender);
        hasApproved[id][version][msg.sender] = true;
        uint8 total = v.approvalWeight + weight;
        v.approvalWeight = total;
        emit VersionApproved(id, version, msg.sender, weight, total);
        if (total >= directory.policyOf(a.municipality).needed) _approved(id, a, version, v);
    }

    // ----------------------------------------------------------------------------------------------
    // Termination
    // ----------------------------------------------------------------------------------------------

    /// @notice Signs a mutual termination of active agreement `id` effective `effectiveDate` (the last
    /// day of the agreement, not in the past). The first party's signature is a proposal; when the other
    /// party signs the same date the agreement ends, and so does every related agreement, on that date.
    function signTermination(bytes32 id, uint64 effectiveDate) external {
        Agreement storage a = _requireStatus(id, AgreementStatus.Active);
        Party party = _partyOf(a, id);
        _requireNotPast(effectiveDate);
        uint8 by = uint8(party) + 1;
        if (a.pendingTerminationBy != 0 && a.pendingTerminationBy != by && a.pendingTerminationDate == effectiveDate) {
            _terminate(id, effectiveDate, CAUSE_MUTUAL, bytes32(0));
        } else {
            a.pendingTerminationBy = by;
            a.pendingTerminationDate = effectiveDate;
            emit TerminationProposed(id, party, msg.sender, effectiveDate);
        }
    }

    /// @notice Terminates active agreement `id` unilaterally for the caller's party, effective
    /// `effectiveDate`, which must be at least the party's notice period (template terms) after today.
    /// Related agreements end on the same date.
    function terminateUnilaterally(bytes32 id, uint64 effectiveDate) external {
        Agreement storage a = _requireStatus(id, AgreementStatus.Active);
        Party party = _partyOf(a, id);
        _requireNotPast(effectiveDate);
        uint256 notice = party == Party.Municipality ? a.terms.municipalityNoticeDays : a.terms.providerNoticeDays;
        uint64 earliest = Dates.addDays(Dates.dayOf(block.timestamp), notice);
        if (effectiveDate < earliest) revert NoticeTooShort(effectiveDate, earliest);
        _terminate(id, effectiveDate, party == Party.Municipality ? CAUSE_MUNICIPALITY : CAUSE_PROVIDER, bytes32(0));
    }

    // ----------------------------------------------------------------------------------------------
    // Obligations
    // ----------------------------------------------------------------------------------------------

    /// @notice Applies a review decision taken through Obligations: line `lineIndex` of the effective
    /// version now ends on `newEnd`, as a new version that takes effect at once (the signed review clause
    /// provides for it). Returns the new version number. Callable only by the Obligations contract, which
    /// checks the caseworker's role and the decision.
    function applyReviewDecision(bytes32 id, uint16 lineIndex, uint64 newEnd) external returns (uint16) {
        if (msg.sender != obligations) revert NotObligations(msg.sender);
        Agreement storage a = _requireStatus(id, AgreementStatus.Active);
        if (a.pendingVersion != 0) revert AmendmentPending(id, a.pendingVersion);
        Line[] storage current = _versions[id][a.effectiveVersion].lines;
        if (lineIndex >= current.length || !uint256(newEnd).isDate() || newEnd < current[lineIndex].start) {
            revert InvalidLineEnd(id, lineIndex, newEnd);
        }
        return _deriveVersion(id, a, lineIndex, newEnd);
    }

    /// @notice Time-driven checks for agreement `id`, deterministic in block time and callable by anyone
    /// (batch many with multicall): activates a related agreement whose main agreement is active, emits
    /// LineEnded once per line after its last day, and expires an active agreement whose lines have all
    /// ended.
    function checkAgreement(bytes32 id) external {
        Agreement storage a = _requireExists(id);
        if (a.status == AgreementStatus.AwaitingMain) {
            if (_agreements[a.mainAgreement].status == AgreementStatus.Active) _activate(id, a);
            return;
        }
        if (a.status < AgreementStatus.Active) return;
        _checkLines(id, a, Dates.dayOf(block.timestamp));
    }

    // ----------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------

    /// @notice The agreement record (status, parties, terms, dates, counters).
    function getAgreement(bytes32 id) external view returns (Agreement memory) {
        return _agreements[id];
    }

    /// @notice Version `version` of agreement `id` with its complete line list, as signed.
    function getVersion(bytes32 id, uint16 version) external view returns (Version memory) {
        return _versions[id][version];
    }

    /// @notice The lines of the effective version (empty before activation).
    function effectiveLines(bytes32 id) external view returns (Line[] memory) {
        return _versions[id][_agreements[id].effectiveVersion].lines;
    }

    /// @notice The related agreements that depend on `id`.
    function dependantsOf(bytes32 id) external view returns (bytes32[] memory) {
        return _dependants[id];
    }

    /// @notice The monthly value of a line used against the approval threshold: the price for monthly
    /// lines; for hour/session lines the price times the most sessions any month can hold.
    function monthlyValueOf(Line memory line) public pure returns (uint128) {
        if (line.unit == Unit.Month) return line.price;
        uint256 step = uint256(line.schedule.everyWeeks) * 7;
        uint256 sessions = (31 + step - 1) / step;
        uint256 qty = line.unit == Unit.Hour ? sessions * line.schedule.hoursPerSession : sessions;
        return uint128(qty * line.price);
    }

    // ----------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------

    function _approved(bytes32 id, Agreement storage a, uint16 version, Version storage v) private {
        if (version == 1) {
            if (a.mainAgreement != bytes32(0) && _agreements[a.mainAgreement].status != AgreementStatus.Active) {
                v.status = VersionStatus.AwaitingMain;
                a.status = AgreementStatus.AwaitingMain;
                emit VersionAwaitingMain(id, version, a.mainAgreement);
                return;
            }
            _activate(id, a);
        } else {
            _makeEffective(id, a, version);
        }
    }

    function _activate(bytes32 id, Agreement storage a) private {
        a.status = AgreementStatus.Active;
        a.activatedAt = uint64(block.timestamp);
        _makeEffective(id, a, 1);
        emit AgreementActivated(id, 1, a.start);
        bytes32[] storage deps = _dependants[id];
        for (uint256 i; i < deps.length; ++i) {
            Agreement storage d = _agreements[deps[i]];
            if (d.status == AgreementStatus.AwaitingMain) _activate(deps[i], d);
        }
    }

    function _makeEffective(bytes32 id, Agreement storage a, uint16 version) private {
        if (a.effectiveVersion != 0) _versions[id][a.effectiveVersion].status = VersionStatus.Superseded;
        _versions[id][version].status = VersionStatus.Effective;
        a.effectiveVersion = version;
        a.pendingVersion = 0;
        emit VersionEffective(id, version);
    }

    function _deriveVersion(bytes32 id, Agreement storage a, uint16 lineIndex, uint64 newEnd)
        private
        returns (uint16 version)
    {
        Version storage prev = _versions[id][a.effectiveVersion];
        version = a.versionCount + 1;
        a.versionCount = version;
        Version storage v = _versions[id][version];
        v.proposer = msg.sender;
        v.monthlyValue = prev.monthlyValue;
        v.signedAt = uint64(block.timestamp);
        for (uint256 i; i < prev.lines.length; ++i) {
            v.lines.push(prev.lines[i]);
        }
        v.lines[lineIndex].end = newEnd;
        a.lineEndNotified &= ~(uint256(1) << lineIndex);
        _makeEffective(id, a, version);
    }

    function _terminate(bytes32 id, uint64 effectiveDate, uint8 cause, bytes32 mainAgreement) private {
        Agreement storage a = _agreements[id];
        a.status = AgreementStatus.Terminated;
        if (a.end == 0 || effectiveDate < a.end) a.end = effectiveDate;
        a.pendingTerminationBy = 0;
        a.pendingTerminationDate = 0;
        a.pendingVersion = 0;
        emit AgreementTerminated(id, a.end, cause, mainAgreement);
        bytes32[] storage deps = _dependants[id];
        for (uint256 i; i < deps.length; ++i) {
            AgreementStatus s = _agreements[deps[i]].status;
            if (s != AgreementStatus.Terminated && s != AgreementStatus.Expired) {
                _terminate(deps[i], effectiveDate, CAUSE_MAIN_TERMINATED, id);
            }
        }
    }

    function _checkLines(bytes32 id, Agreement storage a, uint64 today) private {
        Line[] storage lines = _versions[id][a.effectiveVersion].lines;
        uint64 lastDay;
        bool open;
        for (uint256 i; i < lines.length; ++i) {
            Line storage l = lines[i];
            uint256 bit = uint256(1) << i;
            uint64 end = l.end;
            if (a.end != 0 && (end == 0 || a.end < end)) end = a.end;
            if (end == 0) {
                open = true;
            } else {
                if (end > lastDay) lastDay = end;
                if (today > end && a.lineEndNotified & bit == 0) {
                    a.lineEndNotified |= bit;
                    emit LineEnded(id, uint16(i), end);
                }
            }
        }
        if (a.status == AgreementStatus.Active && !open && today > lastDay) {
            a.status = AgreementStatus.Expired;
            a.end = lastDay;
            a.pendingVersion = 0;
            emit AgreementExpired(id, lastDay);
        }
    }

    function _applyChange(Line[] storage lines, LineChange calldata c, uint64 today)
        private
        returns (uint128 increase)
    {
        if (c.index >= lines.length) revert InvalidLine(c.index);
        Line storage old = lines[c.index];
        if (!uint256(c.effectiveFrom).isDate() || c.effectiveFrom <= old.start) revert InvalidDate(c.effectiveFrom);
        if (c.effectiveFrom < today) revert DateInPast(c.effectiveFrom, today);
        if (old.end != 0 && c.effectiveFrom > old.end) revert InvalidLine(c.index);
        old.end = c.effectiveFrom - uint64(Dates.DAY);
        if (c.price == 0) return 0;
        Line memory next = old;
        next.price = c.price;
        next.start = c.effectiveFrom;
        next.end = c.end;
        next.reviewDate = c.reviewDate;
        _validateLine(next, next.start, lines.length);
        lines.push(next);
        uint128 before = monthlyValueOf(old);
        uint128 after_ = monthlyValueOf(next);
        return after_ > before ? after_ - before : 0;
    }

    function _validateLine(Line memory l, uint64 agreementStart, uint256 index) private pure {
        Schedule memory s = l.schedule;
        bool ok = l.price > 0 && uint256(l.start).isDate() && l.start >= agreementStart
            && (l.end == 0 || (uint256(l.end).isDate() && l.end >= l.start))
            && (l.reviewDate == 0 || (uint256(l.reviewDate).isDate() && l.reviewDate >= l.start));
        if (l.unit == Unit.Month) {
            ok = ok && s.kind == ScheduleKind.Monthly;
        } else {
            ok = ok && s.kind == ScheduleKind.Sessions && s.everyWeeks > 0 && s.weekday >= 1 && s.weekday <= 7
                && uint256(s.anchor).isDate() && Dates.weekday(s.anchor) == s.weekday
                && (l.unit == Unit.Session || s.hoursPerSession > 0);
        }
        if (!ok) revert InvalidLine(index);
    }

    function _requireRole(uint40 org, Role role) private view {
        if (!directory.hasOrgRole(org, msg.sender, role)) revert MissingRole(msg.sender, org, role);
    }

    function _partyOf(Agreement storage a, bytes32 id) private view returns (Party) {
        if (directory.hasOrgRole(directory.municipalityOrg(a.municipality), msg.sender, Role.Caseworker)) {
            return Party.Municipality;
        }
        if (directory.hasOrgRole(directory.providerOrg(a.provider), msg.sender, Role.ProviderSignatory)) {
            return Party.Provider;
        }
        revert NotAParty(msg.sender, id);
    }

    function _requireExists(bytes32 id) private view returns (Agreement storage a) {
        a = _agreements[id];
        if (a.status == AgreementStatus.None) revert UnknownAgreement(id);
    }

    function _requireStatus(bytes32 id, AgreementStatus status) private view returns (Agreement storage a) {
        a = _requireExists(id);
        if (a.status != status) revert InvalidStatus(id, a.status);
    }

    function _openVersion(bytes32 id, Agreement storage a, uint16 version, VersionStatus expected)
        private
        view
        returns (Version storage v)
    {
        if (version == 0 || version > a.versionCount) revert UnknownVersion(id, version);
        v = _versions[id][version];
        if (v.status != expected || a.status >= AgreementStatus.Terminated) {
            revert VersionNotOpen(id, version, v.status);
        }
    }

    function _requireNotPast(uint64 date) private view {
        uint64 today = Dates.dayOf(block.timestamp);
        if (!uint256(date).isDate()) revert InvalidDate(date);
        if (date < today) revert DateInPast(date, today);
    }
}
