// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {AgreementRegistry} from "./AgreementRegistry.sol";
import {Dates} from "./Dates.sol";
import {Directory} from "./Directory.sol";
import {IPaymentHook} from "./IPaymentHook.sol";
import {Agreement, AgreementStatus, Line, ReviewDecision, Role} from "./Types.sol";

/// @title Obligations
/// @notice The provider's status-report obligations and the municipality's review dates of each
/// agreement in the AgreementRegistry. Report n is due `reportEveryMonths × n` months after the
/// agreement's start and is overdue once its grace days (default 14) have passed without a report;
/// reports due after the agreement's last day are not required. Reports are anchored as salted hashes;
/// the documents stay off chain.
contract Obligations is Multicall {
    AgreementRegistry public immutable registry;
    Directory public immutable directory;
    address public immutable deployer;
    IPaymentHook public paymentLedger;

    struct Progress {
        uint16 reportsSubmitted;
        uint16 overdueNotified;
        uint256 reviewNotified;
    }

    mapping(bytes32 id => Progress) internal _progress;
    mapping(bytes32 id => bytes32[]) internal _reports;

    error NotDeployer(address account);
    error PaymentLedgerAlreadySet();
    error UnknownAgreement(bytes32 id);
    error InvalidStatus(bytes32 id, AgreementStatus status);
    error MissingRole(address account, uint40 org, Role role);
    error InvalidHash();
    error NoReportDue(bytes32 id);
    error ReportPeriodNotStarted(bytes32 id, uint16 reportNumber, uint64 opensOn);
    error NoReviewOnLine(bytes32 id, uint16 lineIndex);
    error InvalidReviewDecision(ReviewDecision decision, uint64 date);

    event StatusReportSubmitted(
        bytes32 indexed id, uint16 reportNumber, bytes32 reportHash, uint64 dueDate, address indexed submitter
    );
    event ReportOverdue(bytes32 indexed id, uint16 reportNumber, uint64 dueDate, uint64 overdueSince);
    event ReviewDue(bytes32 indexed id, uint16 lineIndex, uint64 reviewDate, uint64 lineEnd);
    event PaymentLedgerConnected(address indexed paymentLedger);
    event ReviewDecided(bytes32 indexed id, uint16 lineIndex, ReviewDecision decision, uint64 date, uint16 version);

    constructor(AgreementRegistry registry_) {
        registry = registry_;
        directory = registry_.directory();
        deployer = msg.sender;
    }

    /// @notice Connects the payment ledger, told when a report arrives so withheld months are released.
    /// Deployer only, once.
    function setPaymentLedger(IPaymentHook ledger) external {
        if (msg.sender != deployer) revert NotDeployer(msg.sender);
        if (address(paymentLedger) != address(0)) revert PaymentLedgerAlreadySet();
        paymentLedger = ledger;
        emit PaymentLedgerConnected(address(ledger));
    }

    /// @notice The provider anchors the salted hash of a status report on agreement `id`; it fulfils the
    /// next report obligation. Provider signatory only; accepted from the start of that report's period,
    /// also late and after the agreement ended. Withheld months are released at once when no report is
    /// overdue any more.
    function submitReport(bytes32 id, bytes32 reportHash) external {
        Agreement memory a = registry.getAgreement(id);
        if (a.status < AgreementStatus.Active) revert InvalidStatus(id, a.status);
        uint40 org = directory.providerOrg(a.provider);
        if (!directory.hasOrgRole(org, msg.sender, Role.ProviderSignatory)) {
            revert MissingRole(msg.sender, org, Role.ProviderSignatory);
        }
        if (reportHash == bytes32(0)) revert InvalidHash();
        Progress storage p = _progress[id];
        uint16 n = p.reportsSubmitted + 1;
        uint64 due = _dueDate(a, n);
        if (due == 0 || (a.end != 0 && due > a.end)) revert NoReportDue(id);
        uint64 opens = Dates.addMonths(a.start, uint256(n - 1) * a.terms.reportEveryMonths);
        if (Dates.dayOf(block.timestamp) < opens) revert ReportPeriodNotStarted(id, n, opens);

        p.reportsSubmitted = n;
        if (p.overdueNotified < n) p.overdueNotified = n;
        _reports[id].push(reportHash);
        emit StatusReportSubmitted(id, n, reportHash, due, msg.sender);
        if (address(paymentLedger) != address(0)) paymentLedger.releaseWithheld(id);
    }

    /// @notice Records the municipality's decision on the review of line `lineIndex` of agreement `id`:
    /// Continue extends the line to `date` (after its current end); End ends it on `date` (today or later,
    /// before its current end); Adjust records that an amendment will follow. Continue and End take effect
    /// at once as a new version. Without a decision the line simply ends on its end date. Caseworker only.
    function decideReview(bytes32 id, uint16 lineIndex, ReviewDecision decision, uint64 date) external {
        Agreement memory a = registry.getAgreement(id);
        if (a.status != AgreementStatus.Active) revert InvalidStatus(id, a.status);
        uint40 org = directory.municipalityOrg(a.municipality);
        if (!directory.hasOrgRole(org, msg.sender, Role.Caseworker)) {
            revert MissingRole(msg.sender, org, Role.Caseworker);
        }
        Line[] memory lines = registry.effectiveLines(id);
        if (lineIndex >= lines.length || lines[lineIndex].reviewDate == 0) revert NoReviewOnLine(id, lineIndex);
        Line memory line = lines[lineIndex];
        uint64 today = Dates.dayOf(block.timestamp);
        bool ok;
        if (decision == ReviewDecision.Continue) {
            ok = line.end != 0 && date > line.end;
        } else if (decision == ReviewDecision.End) {
            ok = date >= today && (line.end == 0 || date < line.end);
        } else {
            ok = decision == ReviewDecision.Adjust;
        }
        if (!ok) revert InvalidReviewDecision(decision, date);

        _progress[id].reviewNotified |= uint256(1) << lineIndex;
        uint16 version = a.effectiveVersion;
        if (decision != ReviewDecision.Adjust) version = registry.applyReviewDecision(id, lineIndex, date);
        emit ReviewDecided(id, lineIndex, decision, date, version);
    }

    /// @notice Time-driven obligation checks for agreement `id`, deterministic in block time and callable
    /// by anyone (batch with multicall): emits ReportOverdue once for an overdue report and ReviewDue once
    /// per line whose review date has come.
    function checkObligations(bytes32 id) external {
        Agreement memory a = registry.getAgreement(id);
        if (a.status == AgreementStatus.None) revert UnknownAgreement(id);
        if (a.status < AgreementStatus.Active) return;
        Progress storage p = _progress[id];
        (uint16 n, uint64 due, uint64 since) = _overdue(a, p, block.timestamp);
        if (n != 0 && p.overdueNotified < n) {
            p.overdueNotified = n;
            emit ReportOverdue(id, n, due, since);
        }
        if (a.status != AgreementStatus.Active) return;
        uint64 today = Dates.dayOf(block.timestamp);
        Line[] memory lines = registry.effectiveLines(id);
        for (uint256 i; i < lines.length; ++i) {
            uint256 bit = uint256(1) << i;
            if (lines[i].reviewDate != 0 && today >= lines[i].reviewDate && p.reviewNotified & bit == 0) {
                p.reviewNotified |= bit;
                emit ReviewDue(id, uint16(i), lines[i].reviewDate, lines[i].end);
            }
        }
    }

    /// @notice The first required report of agreement `id` that is overdue at `timestamp` (due date plus
    /// grace days passed without a report): its number, due date and the first day it counts as overdue;
    /// (0, 0, 0) when none.
    function overdueReport(bytes32 id, uint256 timestamp)
        external
        view
        returns (uint16 reportNumber, uint64 dueDate, uint64 overdueSince)
    {
        return _overdue(registry.getAgreement(id), _progress[id], timestamp);
    }

    /// @notice Due date of status report `n` (1-based) of agreement `id`; 0 when it has no reports.
    function reportDueDate(bytes32 id, uint16 n) external view returns (uint64) {
        return _dueDate(registry.getAgreement(id), n);
    }

    /// @notice How many status reports agreement `id` has received.
    function reportsSubmitted(bytes32 id) external view returns (uint16) {
        return _progress[id].reportsSubmitted;
    }

    /// @notice The anchored hash of status report `n` (1-based) of agreement `id`.
    function reportHashOf(bytes32 id, uint16 n) external view returns (bytes32) {
        return _reports[id][n - 1];
    }

    function _dueDate(Agreement memory a, uint16 n) private pure returns (uint64) {
        if (a.terms.reportEveryMonths == 0 || n == 0) return 0;
        return Dates.addMonths(a.start, uint256(n) * a.terms.reportEveryMonths);
    }

    function _overdue(Agreement memory a, Progress storage p, uint256 timestamp)
        private
        view
        returns (uint16, uint64, uint64)
    {
        if (a.status < AgreementStatus.Active) return (0, 0, 0);
        uint16 n = p.reportsSubmitted + 1;
        uint64 due = _dueDate(a, n);
        if (due == 0 || (a.end != 0 && due > a.end)) return (0, 0, 0);
        uint64 since = Dates.addDays(due, uint256(a.terms.reportGraceDays) + 1);
        if (Dates.dayOf(timestamp) < since) return (0, 0, 0);
        return (n, due, since);
    }
}
