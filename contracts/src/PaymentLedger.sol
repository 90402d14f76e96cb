// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {AgreementRegistry} from "./AgreementRegistry.sol";
import {Dates} from "./Dates.sol";
import {Directory} from "./Directory.sol";
import {IPaymentHook} from "./IPaymentHook.sol";
import {Obligations} from "./Obligations.sol";
import {
    Agreement,
    AgreementStatus,
    Line,
    MonthStatus,
    PaymentTiming,
    REASON_REPORT_OVERDUE,
    Role,
    Unit
} from "./Types.sol";

/// @title PaymentLedger
/// @notice What a provider is entitled to for a month (`period` = yyyymm) on an agreement, and whether it
/// was approved, withheld, released and paid. Money moves outside the chain (payment file to the bank);
/// this contract records the decisions. Monthly lines earn price × days active ÷ days in the month,
/// rounded half-up per line, in øre; hour and session lines earn what accepted invoices claim. The whole
/// month is withheld while a required status report is overdue at evaluation and released when no report
/// is overdue any more. Nothing is ever earned for a day outside a line's or the agreement's period.
contract PaymentLedger is IPaymentHook, Multicall {
    AgreementRegistry public immutable registry;
    Obligations public immutable obligations;
    Directory public immutable directory;

    struct MonthRecord {
        MonthStatus status;
        uint8 reason;
        bool wasWithheld;
        uint16 reportNumber;
        uint64 reportDueDate;
        uint64 evaluatedAt;
        uint64 paymentDue;
        uint64 releasedAt;
        uint64 paidAt;
        uint128 entitled;
        uint128 invoiced;
        bytes32 paymentRef;
    }

    mapping(bytes32 id => mapping(uint32 period => MonthRecord)) internal _months;
    /// @notice Øre accepted from invoices on agreement `id` for `period`, paid with that month.
    mapping(bytes32 id => mapping(uint32 period => uint128)) public invoicedAmount;
    /// @notice Hours or sessions accepted on a line for a period.
    mapping(bytes32 id => mapping(uint32 period => mapping(uint16 line => uint32))) public acceptedQuantity;
    /// @notice Whether an invoice reference hash was already submitted (accepted or flagged).
    mapping(bytes32 invoiceRef => bool) public invoiceSeen;
    mapping(bytes32 id => uint32[]) internal _withheld;

    /// @notice Running totals (øre) over all agreements, for audit and invariants.
    uint256 public totalEvaluated;
    uint256 public totalWithheld;
    uint256 public totalReleased;
    uint256 public totalPaid;

    error UnknownAgreement(bytes32 id);
    error AgreementNeverActive(bytes32 id, AgreementStatus status);
    error MissingRole(address account, uint40 org, Role role);
    error PeriodOutsideAgreement(bytes32 id, uint32 period);
    error PeriodNotPayableYet(bytes32 id, uint32 period, uint64 payableFrom);
    error MonthAlreadyEvaluated(bytes32 id, uint32 period);
    error MonthNotPayable(bytes32 id, uint32 period, MonthStatus status);
    error InvalidReference();
    error InvalidLine(bytes32 id, uint16 lineIndex);
    error InvalidQuantity();
    error InvoiceAlreadySubmitted(bytes32 invoiceRef);
    error InvoicePeriodNotEnded(bytes32 id, uint32 period);

    event LineEntitled(bytes32 indexed id, uint32 indexed period, uint16 lineIndex, uint32 daysActive, uint128 amount);
    event MonthApproved(bytes32 indexed id, uint32 indexed period, uint128 amount, uint64 paymentDue);
    event MonthWithheld(
        bytes32 indexed id,
        uint32 indexed period,
        uint128 amount,
        uint8 reason,
        uint16 reportNumber,
        uint64 reportDueDate,
        uint64 overdueSince
    );
    event MonthReleased(bytes32 indexed id, uint32 indexed period, uint128 amount, uint64 paymentDue);
    event PaymentRecorded(
        bytes32 indexed id, uint32 indexed period, uint128 amount, bytes32 paymentRef, address indexed recordedBy
    );
    event InvoiceAccepted(
        bytes32 indexed id, uint32 indexed period, uint16 lineIndex, bytes32 invoiceRef, uint32 quantity, uint128 amount
    );
    event InvoiceDeviation(
        bytes32 indexed id, uint32 indexed period, uint16 lineIndex, bytes32 invoiceRef, uint32 expected, uint32 claimed
    );

    constructor(Obligations obligations_) {
        obligations = obligations_;
        registry = obligations_.registry();
        directory = registry.directory();
    }

    /// @notice Evaluates month `period` (yyyymm) of agreement `id` once: the entitlement of every line,
    /// plus accepted invoices, is approved for payment — or withheld as a whole when a required status
    /// report is overdue now. Allowed from the 1st of the next month (in arrears) or of the month itself
    /// (in advance), for months overlapping the agreement. Finance member of the municipality, or a
    /// keeper (network keeper role or the municipality's keeper member).
    function evaluateMonth(bytes32 id, uint32 period) external {
        Agreement memory a = _activeAgreement(id);
        _requireEvaluator(a.municipality);
        (uint64 first, uint64 last,) = Dates.periodBounds(period);
        if (first > (a.end == 0 ? type(uint64).max : a.end) || last < a.start) {
            revert PeriodOutsideAgreement(id, period);
        }
        uint64 payable_ = a.terms.paymentTiming == PaymentTiming.Arrears ? Dates.addDays(last, 1) : first;
        if (block.timestamp < payable_) revert PeriodNotPayableYet(id, period, payable_);
        MonthRecord storage m = _months[id][period];
        if (m.status != MonthStatus.None) revert MonthAlreadyEvaluated(id, period);

        m.evaluatedAt = uint64(block.timestamp);
        m.paymentDue = Dates.addDays(payable_, a.terms.paymentDeadlineDays);
        uint128 amount = _recordEntitlement(id, a, period, m);
        totalEvaluated += amount;
        _decide(id, period, m, amount);
    }

    /// @notice Releases every withheld month of agreement `id` when no required report is overdue any
    /// more. Callable by anyone (deterministic); Obligations calls it when a report arrives.
    function releaseWithheld(bytes32 id) external {
        uint32[] storage periods = _withheld[id];
        if (periods.length == 0) return;
        (uint16 n,,) = obligations.overdueReport(id, block.timestamp);
        if (n != 0) return;
        uint64 today = Dates.dayOf(block.timestamp);
        for (uint256 i; i < periods.length; ++i) {
            MonthRecord storage m = _months[id][periods[i]];
            uint128 amount = m.entitled + m.invoiced;
            m.status = MonthStatus.Released;
            m.releasedAt = uint64(block.timestamp);
            if (m.paymentDue < today) m.paymentDue = today;
            totalReleased += amount;
            emit MonthReleased(id, periods[i], amount, m.paymentDue);
        }
        delete _withheld[id];
    }

    /// @notice Records that month `period` of agreement `id` was paid, with the reference hash of the
    /// payment file entry. Only approved or released months; finance member of the municipality only.
    function recordPayment(bytes32 id, uint32 period, bytes32 paymentRef) external {
        Agreement memory a = _activeAgreement(id);
        uint40 org = directory.municipalityOrg(a.municipality);
        if (!directory.hasOrgRole(org, msg.sender, Role.Finance)) revert MissingRole(msg.sender, org, Role.Finance);
        if (paymentRef == bytes32(0)) revert InvalidReference();
        MonthRecord storage m = _months[id][period];
        if (m.status != MonthStatus.Approved && m.status != MonthStatus.Released) {
            revert MonthNotPayable(id, period, m.status);
        }
        uint128 amount = m.entitled + m.invoiced;
        m.status = MonthStatus.Paid;
        m.paidAt = uint64(block.timestamp);
        m.paymentRef = paymentRef;
        totalPaid += amount;
        emit PaymentRecorded(id, period, amount, paymentRef, msg.sender);
    }

    /// @notice The provider invoices `quantity` (hours for hour lines, sessions for session lines) on
    /// line `lineIndex` of agreement `id` for month `period`, after the month has ended and before it is
    /// evaluated. Accepted (and payable with the month) when the quantity accepted so far plus this claim
    /// stays within what the schedule holds for the line's active days that month; otherwise flagged as a
    /// deviation (expected vs claimed) and not payable. Provider signatory only; each reference once.
    function submitInvoice(bytes32 id, uint16 lineIndex, uint32 period, uint32 quantity, bytes32 invoiceRef) external {
        Agreement memory a = _activeAgreement(id);
        uint40 org = directory.providerOrg(a.provider);
        if (!directory.hasOrgRole(org, msg.sender, Role.ProviderSignatory)) {
            revert MissingRole(msg.sender, org, Role.ProviderSignatory);
        }
        if (invoiceRef == bytes32(0)) revert InvalidReference();
        if (invoiceSeen[invoiceRef]) revert InvoiceAlreadySubmitted(invoiceRef);
        if (quantity == 0) revert InvalidQuantity();
        (, uint64 last,) = Dates.periodBounds(period);
        if (block.timestamp <= last + Dates.DAY - 1) revert InvoicePeriodNotEnded(id, period);
        if (_months[id][period].status != MonthStatus.None) revert MonthAlreadyEvaluated(id, period);
        Line[] memory lines = registry.effectiveLines(id);
        if (lineIndex >= lines.length || lines[lineIndex].unit == Unit.Month) revert InvalidLine(id, lineIndex);

        Line memory line = lines[lineIndex];
        uint32 expected = _expectedQuantity(a, line, period);
        uint32 already = acceptedQuantity[id][period][lineIndex];
        invoiceSeen[invoiceRef] = true;
        if (uint256(already) + quantity > expected) {
            emit InvoiceDeviation(id, period, lineIndex, invoiceRef, expected - already, quantity);
            return;
        }
        uint128 amount = uint128(quantity) * line.price;
        acceptedQuantity[id][period][lineIndex] = already + quantity;
        invoicedAmount[id][period] += amount;
        emit InvoiceAccepted(id, period, lineIndex, invoiceRef, quantity, amount);
    }

    /// @notice The evaluation record of month `period` of agreement `id`.
    function monthRecord(bytes32 id, uint32 period) external view returns (MonthRecord memory) {
        return _months[id][period];
    }

    /// @notice Months of agreement `id` currently withheld.
    function withheldPeriods(bytes32 id) external view returns (uint32[] memory) {
        return _withheld[id];
    }

    /// @notice Preview: the entitlement from monthly lines of agreement `id` for `period` (total and per
    /// line, with days active), as evaluation would compute it now. Invoices are not included.
    function entitlement(bytes32 id, uint32 period)
        external
        view
        returns (uint128 total, uint128[] memory perLine, uint32[] memory daysActive)
    {
        return _entitlement(id, registry.getAgreement(id), period);
    }

    /// @notice What the schedule of line `lineIndex` holds for `period` (hours or sessions).
    function expectedQuantity(bytes32 id, uint16 lineIndex, uint32 period) external view returns (uint32) {
        return _expectedQuantity(registry.getAgreement(id), registry.effectiveLines(id)[lineIndex], period);
    }

    /// @notice Monthly-line entitlement: `price × days / daysInMonth`, rounded half-up to whole øre.
    function proRata(uint128 price, uint256 days_, uint256 daysInMonth) public pure returns (uint128) {
        return uint128((uint256(price) * days_ * 2 + daysInMonth) / (2 * daysInMonth));
    }

    function _recordEntitlement(bytes32 id, Agreement memory a, uint32 period, MonthRecord storage m)
        private
        returns (uint128 amount)
    {
        (uint128 entitled, uint128[] memory perLine, uint32[] memory daysActive) = _entitlement(id, a, period);
        uint128 invoiced = invoicedAmount[id][period];
        m.entitled = entitled;
        m.invoiced = invoiced;
        for (uint256 i; i < perLine.length; ++i) {
            if (daysActive[i] != 0) emit LineEntitled(id, period, uint16(i), daysActive[i], perLine[i]);
        }
        return entitled + invoiced;
    }

    function _decide(bytes32 id, uint32 period, MonthRecord storage m, uint128 amount) private {
        (uint16 n, uint64 due, uint64 since) = obligations.overdueReport(id, block.timestamp);
        if (n != 0) {
            m.status = MonthStatus.Withheld;
            m.wasWithheld = true;
            m.reason = REASON_REPORT_OVERDUE;
            m.reportNumber = n;
            m.reportDueDate = due;
            totalWithheld += amount;
            _withheld[id].push(period);
            emit MonthWithheld(id, period, amount, REASON_REPORT_OVERDUE, n, due, since);
        } else {
            m.status = MonthStatus.Approved;
            emit MonthApproved(id, period, amount, m.paymentDue);
        }
    }

    function _entitlement(bytes32 id, Agreement memory a, uint32 period)
        private
        view
        returns (uint128 total, uint128[] memory perLine, uint32[] memory daysActive)
    {
        Line[] memory lines = registry.effectiveLines(id);
        (uint64 first, uint64 last, uint256 dim) = Dates.periodBounds(period);
        perLine = new uint128[](lines.length);
        daysActive = new uint32[](lines.length);
        for (uint256 i; i < lines.length; ++i) {
            if (lines[i].unit != Unit.Month) continue;
            (uint64 from, uint64 to) = _window(a, lines[i], first, last);
            uint256 d = Dates.daysBetween(from, to);
            if (d == 0) continue;
            daysActive[i] = uint32(d);
            perLine[i] = proRata(lines[i].price, d, dim);
            total += perLine[i];
        }
    }

    function _expectedQuantity(Agreement memory a, Line memory line, uint32 period) private pure returns (uint32) {
        (uint64 first, uint64 last,) = Dates.periodBounds(period);
        (uint64 from, uint64 to) = _window(a, line, first, last);
        uint256 sessions = Dates.countSeries(line.schedule.anchor, uint256(line.schedule.everyWeeks) * 7, from, to);
        return uint32(line.unit == Unit.Hour ? sessions * line.schedule.hoursPerSession : sessions);
    }

    /// @dev The days of [first, last] on which both the line and the agreement are in force.
    function _window(Agreement memory a, Line memory line, uint64 first, uint64 last)
        private
        pure
        returns (uint64 from, uint64 to)
    {
        from = first;
        if (line.start > from) from = line.start;
        if (a.start > from) from = a.start;
        to = last;
        if (line.end != 0 && line.end < to) to = line.end;
        if (a.end != 0 && a.end < to) to = a.end;
    }

    function _activeAgreement(bytes32 id) private view returns (Agreement memory a) {
        a = registry.getAgreement(id);
        if (a.status == AgreementStatus.None) revert UnknownAgreement(id);
        if (a.activatedAt == 0) revert AgreementNeverActive(id, a.status);
    }

    function _requireEvaluator(uint16 municipality) private view {
        uint40 org = directory.municipalityOrg(municipality);
        if (
            directory.hasOrgRole(org, msg.sender, Role.Finance) || directory.hasOrgRole(org, msg.sender, Role.Keeper)
                || directory.hasRole(directory.KEEPER_ROLE(), msg.sender)
        ) return;
        revert MissingRole(msg.sender, org, Role.Finance);
    }
}
