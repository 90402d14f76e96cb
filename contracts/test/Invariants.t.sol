// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {AgreementRegistry} from "../src/AgreementRegistry.sol";
import {Dates} from "../src/Dates.sol";
import {Directory} from "../src/Directory.sol";
import {Obligations} from "../src/Obligations.sol";
import {PaymentLedger} from "../src/PaymentLedger.sol";
import {
    Agreement,
    AgreementStatus,
    DraftInput,
    Line,
    MonthStatus,
    PaymentTiming,
    Terms,
    Unit,
    Version
} from "../src/Types.sol";
import {Fixture} from "./Fixture.sol";
import {Vm} from "./utils/Test.sol";

/// @dev Drives random but mostly valid sequences of drafting, signing, approval, time, reports,
/// evaluation, payment and termination, and records what it observed for the invariants.
contract LifecycleHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    AgreementRegistry internal reg;
    Obligations internal obl;
    PaymentLedger internal pay;
    Directory internal dir;
    address internal sara;
    address internal finn;
    address[2] internal signatories;
    uint32[2] internal providers;
    address[3] internal approvers;
    uint64 internal firstDay;

    bytes32[] public ids;
    mapping(bytes32 => AgreementStatus) public lastStatus;

    struct Evaluated {
        bytes32 id;
        uint32 period;
    }
    Evaluated[] internal evaluated;

    bool public illegalTransition;
    bool public activatedWithoutPolicy;
    bool public paidWhileReportMissing;

    constructor(
        AgreementRegistry reg_,
        Obligations obl_,
        PaymentLedger pay_,
        address[9] memory actors, // sara, finn, ole, sanne, bo, lis, dorte, -, -
        uint32[2] memory providers_
    ) {
        reg = reg_;
        obl = obl_;
        pay = pay_;
        dir = reg_.directory();
        sara = actors[0];
        finn = actors[1];
        signatories = [actors[2], actors[3]];
        approvers = [actors[4], actors[5], actors[6]];
        providers = providers_;
        firstDay = Dates.dayOf(block.timestamp);
    }

    function evaluatedCount() external view returns (uint256) {
        return evaluated.length;
    }

    function evaluatedAt(uint256 i) external view returns (bytes32, uint32) {
        return (evaluated[i].id, evaluated[i].period);
    }

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    // ------------------------------------------------------------------ actions

    function draft(uint256 price, uint8 startMonths, uint16 length, bool related, bool open, uint8 provider) external {
        if (ids.length >= 6) return;
        bytes32 id = keccak256(abi.encode("agreement", ids.length));
        uint256 p = provider % 2;
        uint64 start = Dates.addMonths(Dates.fromYmd(2026, 2, 1), startMonths % 6);
        DraftInput memory d = DraftInput({
            municipality: 169,
            provider: providers[p],
            caseRef: id,
            kle: 272_400,
            templateId: bytes32(uint256(1)),
            mainAgreement: bytes32(0),
            start: start,
            terms: _terms()
        });
        if (related && ids.length > 0) d.mainAgreement = ids[price % ids.length];
        Line[] memory lines = new Line[](2);
        lines[0].price = uint128(100_000 + (price % 9_000_000));
        lines[0].start = start;
        lines[0].end = open ? 0 : Dates.addDays(start, uint256(length) % 400);
        lines[1].price = uint128(1 + (price % 1_000_003));
        lines[1].start = Dates.addDays(start, uint256(length) % 17);
        lines[1].end = Dates.addDays(lines[1].start, uint256(length) % 90);
        vm.prank(sara);
        try reg.draftAgreement(id, d, lines) {
            ids.push(id);
        } catch {}
        _observe();
    }

    /// @dev Shortcut through drafting, both signatures and the director's approval, so that runs reach
    /// evaluation, withholding and payment often.
    function draftAndActivate(uint256 price, uint8 startMonths, uint16 length, bool open, uint8 provider) external {
        if (ids.length >= 6) return;
        this.draft(price, startMonths, length, false, open, provider);
        if (ids.length == 0) return;
        uint256 last = ids.length - 1;
        this.sign(last, 2);
        this.approve(last, 2);
    }

    function sign(uint256 idx, uint8 mode) external {
        if (ids.length == 0) return;
        bytes32 id = ids[idx % ids.length];
        Agreement memory a = reg.getAgreement(id);
        uint16 v = a.pendingVersion == 0 ? 1 : a.pendingVersion;
        if (mode % 3 != 1) {
            vm.prank(sara);
            try reg.signVersion(id, v) {} catch {}
        }
        if (mode % 3 != 0) {
            vm.prank(_signatoryOf(a.provider));
            try reg.signVersion(id, v) {} catch {}
        }
        _observe();
    }

    function approve(uint256 idx, uint8 who) external {
        if (ids.length == 0) return;
        bytes32 id = ids[idx % ids.length];
        address approver = who % 4 == 3 ? sara : approvers[who % 4];
        vm.prank(approver);
        try reg.approveVersion(id, 1) {} catch {}
        _observe();
    }

    function passTime(uint16 days_) external {
        vm.warp(block.timestamp + (1 + uint256(days_) % 90) * 1 days);
        _observe();
    }

    function report(uint256 idx) external {
        if (ids.length == 0) return;
        bytes32 id = ids[idx % ids.length];
        vm.prank(_signatoryOf(reg.getAgreement(id).provider));
        try obl.submitReport(id, keccak256(abi.encode(id, block.timestamp))) {} catch {}
        _observe();
    }

    function evaluate(uint256 idx, uint8 monthsBack) external {
        if (ids.length == 0) return;
        bytes32 id = ids[idx % ids.length];
        uint32 period = Dates.periodOf(block.timestamp);
        for (uint256 k; k <= monthsBack % 4; ++k) {
            period = period % 100 == 1 ? (period / 100 - 1) * 100 + 12 : period - 1;
        }
        vm.prank(finn);
        try pay.evaluateMonth(id, period) {
            evaluated.push(Evaluated(id, period));
        } catch {}
        _observe();
    }

    function recordPayment(uint256 idx) external {
        if (evaluated.length == 0) return;
        Evaluated memory e = evaluated[idx % evaluated.length];
        PaymentLedger.MonthRecord memory m = pay.monthRecord(e.id, e.period);
        vm.prank(finn);
        try pay.recordPayment(e.id, e.period, keccak256(abi.encode(e.id, e.period))) {
            if (m.wasWithheld && obl.reportsSubmitted(e.id) < m.reportNumber) paidWhileReportMissing = true;
            if (m.status == MonthStatus.Withheld) paidWhileReportMissing = true;
        } catch {}
        _observe();
    }

    function terminate(uint256 idx, uint16 inDays, bool unilateral, bool providerSide) external {
        if (ids.length == 0) return;
        bytes32 id = ids[idx % ids.length];
        Agreement memory a = reg.getAgreement(id);
        uint64 date = Dates.addDays(Dates.dayOf(block.timestamp), uint256(inDays) % 120);
        address party = providerSide ? _signatoryOf(a.provider) : sara;
        address other = providerSide ? sara : _signatoryOf(a.provider);
        if (unilateral) {
            vm.prank(party);
            try reg.terminateUnilaterally(id, date) {} catch {}
        } else {
            vm.prank(party);
            try reg.signTermination(id, date) {} catch {}
            vm.prank(other);
            try reg.signTermination(id, date) {} catch {}
        }
        _observe();
    }

    function check(uint256 idx) external {
        if (ids.length == 0) return;
        bytes32 id = ids[idx % ids.length];
        reg.checkAgreement(id);
        obl.checkObligations(id);
        _observe();
    }

    // ------------------------------------------------------------------ observation

    function _observe() internal {
        for (uint256 i; i < ids.length; ++i) {
            bytes32 id = ids[i];
            AgreementStatus before = lastStatus[id];
            AgreementStatus now_ = reg.getAgreement(id).status;
            if (before == now_) continue;
            if (!_legal(before, now_)) illegalTransition = true;
            if (now_ == AgreementStatus.Active && !_policyMet(id)) activatedWithoutPolicy = true;
            lastStatus[id] = now_;
        }
    }

    function _legal(AgreementStatus a, AgreementStatus b) internal pure returns (bool) {
        if (a == AgreementStatus.None) return b == AgreementStatus.Draft;
        if (a == AgreementStatus.Draft) return b != AgreementStatus.Expired;
        if (a == AgreementStatus.AwaitingApproval) {
            return b == AgreementStatus.Active || b == AgreementStatus.AwaitingMain || b == AgreementStatus.Terminated;
        }
        if (a == AgreementStatus.AwaitingMain) return b == AgreementStatus.Active || b == AgreementStatus.Terminated;
        if (a == AgreementStatus.Active) return b == AgreementStatus.Terminated || b == AgreementStatus.Expired;
        return false; // Terminated and Expired are final
    }

    function _policyMet(bytes32 id) internal view returns (bool) {
        Version memory v = reg.getVersion(id, 1);
        Directory.Policy memory p = dir.policyOf(169);
        if (!v.municipalitySigned || !v.providerSigned) return false;
        return v.valueIncrease <= p.thresholdOre || v.approvalWeight >= p.needed;
    }

    function _signatoryOf(uint32 provider) internal view returns (address) {
        return provider == providers[0] ? signatories[0] : signatories[1];
    }

    function _terms() internal pure returns (Terms memory) {
        return Terms(10, 20, PaymentTiming.Arrears, 0, 2, 14);
    }
}

/// @notice Properties of the whole lifecycle that must hold after any sequence of actions.
contract LifecycleInvariantTest is Fixture {
    LifecycleHandler internal handler;

    function setUp() public override {
        super.setUp();
        warpTo(2026, 1, 12);
        handler = new LifecycleHandler(
            reg, obl, pay, [sara, finn, ole, sanne, bo, lis, dorte, address(0), address(0)], [OESTERVOLD, SAMVAER]
        );
        targetContract(address(handler));
    }

    /// @dev Every evaluated month paid exactly the pro-rata of the days each line and the agreement were
    /// in force, counted day by day here — so no day outside a line's active period is ever paid.
    function invariant_nothingPaidOutsideActivePeriod() public view {
        uint256 n = handler.evaluatedCount();
        for (uint256 i; i < n; ++i) {
            (bytes32 id, uint32 period) = handler.evaluatedAt(i);
            PaymentLedger.MonthRecord memory m = pay.monthRecord(id, period);
            assertEq(m.entitled, _oracle(id, period), "entitlement differs from day-by-day count");
        }
    }

    /// @dev A withheld month is never paid, and never released or paid before its report arrived.
    function invariant_withheldNeverPaidBeforeItsReport() public view {
        assertFalse(handler.paidWhileReportMissing());
        uint256 n = handler.evaluatedCount();
        for (uint256 i; i < n; ++i) {
            (bytes32 id, uint32 period) = handler.evaluatedAt(i);
            PaymentLedger.MonthRecord memory m = pay.monthRecord(id, period);
            if (m.status == MonthStatus.Withheld) assertEq(m.paidAt, 0);
            if (m.wasWithheld && m.status != MonthStatus.Withheld) {
                assertGe(obl.reportsSubmitted(id), m.reportNumber);
                assertTrue(m.releasedAt != 0);
                if (m.paidAt != 0) assertLe(m.releasedAt, m.paidAt);
            }
        }
    }

    /// @dev Released never exceeds what was withheld, which never exceeds what was evaluated; the same
    /// for what was paid.
    function invariant_releasedNeverExceedsEntitled() public view {
        assertLe(pay.totalReleased(), pay.totalWithheld());
        assertLe(pay.totalWithheld(), pay.totalEvaluated());
        assertLe(pay.totalPaid(), pay.totalEvaluated());
    }

    /// @dev Statuses only move along the lifecycle (Draft → awaiting → Active → Terminated/Expired).
    function invariant_onlyLegalTransitions() public view {
        assertFalse(handler.illegalTransition());
    }

    /// @dev No agreement became active without both signatures and, above the threshold, the approval
    /// weight the municipality's policy requires.
    function invariant_activationNeverWithoutPolicy() public view {
        assertFalse(handler.activatedWithoutPolicy());
        uint256 n = handler.idCount();
        for (uint256 i; i < n; ++i) {
            bytes32 id = handler.ids(i);
            if (reg.getAgreement(id).activatedAt == 0) continue;
            Version memory v = reg.getVersion(id, 1);
            assertTrue(v.municipalitySigned && v.providerSigned);
            assertTrue(
                v.valueIncrease <= dir.policyOf(HTK).thresholdOre || v.approvalWeight >= dir.policyOf(HTK).needed
            );
        }
    }

    function _oracle(bytes32 id, uint32 period) internal view returns (uint256 total) {
        Agreement memory a = reg.getAgreement(id);
        Line[] memory lines = reg.effectiveLines(id);
        (uint64 first, uint64 last, uint256 dim) = Dates.periodBounds(period);
        for (uint256 i; i < lines.length; ++i) {
            if (lines[i].unit != Unit.Month) continue;
            uint256 days_;
            for (uint256 t = first; t <= last; t += Dates.DAY) {
                bool lineOn = t >= lines[i].start && (lines[i].end == 0 || t <= lines[i].end);
                bool agreementOn = t >= a.start && (a.end == 0 || t <= a.end);
                if (lineOn && agreementOn) days_++;
            }
            total += (uint256(lines[i].price) * days_ * 2 + dim) / (2 * dim);
        }
    }
}
