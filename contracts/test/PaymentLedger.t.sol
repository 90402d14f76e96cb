// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {AgreementRegistry} from "../src/AgreementRegistry.sol";
import {Dates} from "../src/Dates.sol";
import {PaymentLedger} from "../src/PaymentLedger.sol";
import {AgreementStatus, DraftInput, Line, MonthStatus, PaymentTiming, Role} from "../src/Types.sol";
import {Fixture} from "./Fixture.sol";

contract PaymentLedgerTest is Fixture {
    function setUp() public override {
        super.setUp();
        warpTo(2026, 1, 12);
    }

    function _amount(bytes32 id, uint32 period) internal view returns (uint256) {
        PaymentLedger.MonthRecord memory m = pay.monthRecord(id, period);
        return uint256(m.entitled) + m.invoiced;
    }

    function _activeWith(Line[] memory lines, DraftInput memory d) internal {
        vm.prank(sara);
        reg.draftAgreement(PLACEMENT, d, lines);
        vm.prank(sara);
        reg.signVersion(PLACEMENT, 1);
        vm.prank(ole);
        reg.signVersion(PLACEMENT, 1);
        if (reg.getAgreement(PLACEMENT).status == AgreementStatus.AwaitingApproval) {
            vm.prank(dorte);
            reg.approveVersion(PLACEMENT, 1);
        }
    }

    function test_proRataForAPartialMonthRoundsHalfUpPerLine() public {
        Line[] memory lines = new Line[](2);
        lines[0] = monthly(5_200_000, day(2026, 2, 10), 0); // 19 of 28 days = 3,528,571.43 → 3,528,571
        lines[1] = monthly(1_000_001, day(2026, 2, 1), day(2026, 2, 14)); // 14/28 of 1,000,001 = 500,000.5 → 500,001
        _activeWith(lines, placementDraft());
        warpTo(2026, 3, 1);
        vm.expectEmit();
        emit PaymentLedger.LineEntitled(PLACEMENT, 202_602, 0, 19, 3_528_571);
        vm.expectEmit();
        emit PaymentLedger.LineEntitled(PLACEMENT, 202_602, 1, 14, 500_001);
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_602);
        assertEq(_amount(PLACEMENT, 202_602), 3_528_571 + 500_001);
    }

    function test_terminationMidMonthStopsEntitlement() public {
        activateBoth();
        warpTo(2026, 3, 1);
        vm.prank(sara);
        reg.signTermination(PLACEMENT, day(2026, 3, 10));
        vm.prank(ole);
        reg.signTermination(PLACEMENT, day(2026, 3, 10));
        warpTo(2026, 4, 1);
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_603);
        // 10 of 31 days: ophold 1,677,419.35 → 1,677,419; skoledel 451,612.90 → 451,613; taxi 209,677.42 → 209,677
        assertEq(_amount(PLACEMENT, 202_603), 1_677_419 + 451_613 + 209_677);
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.PeriodOutsideAgreement.selector, PLACEMENT, 202_604));
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_604);
    }

    function test_evaluationRefusals() public {
        vm.prank(sara);
        reg.draftAgreement(PLACEMENT, placementDraft(), placementLines());
        vm.expectRevert(
            abi.encodeWithSelector(PaymentLedger.AgreementNeverActive.selector, PLACEMENT, AgreementStatus.Draft)
        );
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_602);
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.UnknownAgreement.selector, CONTACT));
        vm.prank(finn);
        pay.evaluateMonth(CONTACT, 202_602);
        vm.prank(sara);
        reg.signVersion(PLACEMENT, 1);
        vm.prank(ole);
        reg.signVersion(PLACEMENT, 1);
        vm.prank(dorte);
        reg.approveVersion(PLACEMENT, 1);

        uint40 htk = dir.municipalityOrg(HTK);
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.MissingRole.selector, sara, htk, Role.Finance));
        vm.prank(sara);
        pay.evaluateMonth(PLACEMENT, 202_602);
        vm.expectRevert(
            abi.encodeWithSelector(PaymentLedger.PeriodNotPayableYet.selector, PLACEMENT, 202_602, day(2026, 3, 1))
        );
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_602);
        warpTo(2026, 3, 1);
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.PeriodOutsideAgreement.selector, PLACEMENT, 202_601));
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_601);
        vm.expectRevert(abi.encodeWithSelector(Dates.InvalidPeriod.selector, 202_613));
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_613);
        vm.prank(registrar); // the network keeper may evaluate too
        pay.evaluateMonth(PLACEMENT, 202_602);
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.MonthAlreadyEvaluated.selector, PLACEMENT, 202_602));
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_602);
    }

    function test_municipalityKeeperMemberMayEvaluate() public {
        activateBoth();
        address keeper = address(0x4EE9);
        uint40 htk = dir.municipalityOrg(HTK);
        vm.prank(htkAdmin);
        dir.setMember(htk, keeper, roleBit(Role.Keeper));
        warpTo(2026, 3, 1);
        vm.prank(keeper);
        pay.evaluateMonth(PLACEMENT, 202_602);
        assertEq(_amount(PLACEMENT, 202_602), 7_250_000);
    }

    function test_inAdvanceMayBeEvaluatedFromTheFirstOfTheMonth() public {
        DraftInput memory d = placementDraft();
        d.terms.paymentTiming = PaymentTiming.Advance;
        d.terms.paymentDeadlineDays = 10;
        _activeWith(placementLines(), d);
        warpTo(2026, 2, 1);
        vm.expectEmit();
        emit PaymentLedger.MonthApproved(PLACEMENT, 202_602, 7_250_000, day(2026, 2, 11));
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_602);
    }

    function test_recordPaymentRefusals() public {
        activateBoth();
        warpTo(2026, 3, 1);
        uint40 htk = dir.municipalityOrg(HTK);
        vm.expectRevert(
            abi.encodeWithSelector(PaymentLedger.MonthNotPayable.selector, PLACEMENT, 202_602, MonthStatus.None)
        );
        vm.prank(finn);
        pay.recordPayment(PLACEMENT, 202_602, keccak256("p"));
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_602);
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.MissingRole.selector, dorte, htk, Role.Finance));
        vm.prank(dorte);
        pay.recordPayment(PLACEMENT, 202_602, keccak256("p"));
        vm.expectRevert(PaymentLedger.InvalidReference.selector);
        vm.prank(finn);
        pay.recordPayment(PLACEMENT, 202_602, bytes32(0));
        vm.expectEmit();
        emit PaymentLedger.PaymentRecorded(PLACEMENT, 202_602, 7_250_000, keccak256("p"), finn);
        vm.prank(finn);
        pay.recordPayment(PLACEMENT, 202_602, keccak256("p"));
        vm.expectRevert(
            abi.encodeWithSelector(PaymentLedger.MonthNotPayable.selector, PLACEMENT, 202_602, MonthStatus.Paid)
        );
        vm.prank(finn);
        pay.recordPayment(PLACEMENT, 202_602, keccak256("p2"));
        assertEq(pay.totalPaid(), 7_250_000);
    }

    function test_invoiceRefusals() public {
        activateBoth();
        warpTo(2026, 2, 28);
        uint40 sam = dir.providerOrg(SAMVAER);
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.InvoicePeriodNotEnded.selector, CONTACT, 202_602));
        vm.prank(sanne);
        pay.submitInvoice(CONTACT, 0, 202_602, 8, keccak256("i"));
        warpTo(2026, 3, 1);
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.MissingRole.selector, ole, sam, Role.ProviderSignatory));
        vm.prank(ole);
        pay.submitInvoice(CONTACT, 0, 202_602, 8, keccak256("i"));
        vm.startPrank(sanne);
        vm.expectRevert(PaymentLedger.InvalidReference.selector);
        pay.submitInvoice(CONTACT, 0, 202_602, 8, bytes32(0));
        vm.expectRevert(PaymentLedger.InvalidQuantity.selector);
        pay.submitInvoice(CONTACT, 0, 202_602, 0, keccak256("i"));
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.InvalidLine.selector, CONTACT, 1));
        pay.submitInvoice(CONTACT, 1, 202_602, 8, keccak256("i"));
        pay.submitInvoice(CONTACT, 0, 202_602, 4, keccak256("i"));
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.InvoiceAlreadySubmitted.selector, keccak256("i")));
        pay.submitInvoice(CONTACT, 0, 202_602, 4, keccak256("i"));
        pay.submitInvoice(CONTACT, 0, 202_602, 4, keccak256("i2")); // 4 + 4 = 8 expected: accepted
        vm.stopPrank();
        vm.prank(ole);
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.InvalidLine.selector, PLACEMENT, 0)); // monthly line
        pay.submitInvoice(PLACEMENT, 0, 202_602, 1, keccak256("i3"));
        vm.prank(finn);
        pay.evaluateMonth(CONTACT, 202_602);
        assertEq(_amount(CONTACT, 202_602), 520_000);
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.MonthAlreadyEvaluated.selector, CONTACT, 202_602));
        vm.prank(sanne);
        pay.submitInvoice(CONTACT, 0, 202_602, 1, keccak256("i4"));
    }

    function test_withheldMonthIsReleasedOnlyWhenNoReportIsOverdue() public {
        activateBoth();
        warpTo(2026, 9, 1); // reports 1 (05-01) and 2 (08-01) both missing
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_608);
        assertEq(uint8(pay.monthRecord(PLACEMENT, 202_608).status), uint8(MonthStatus.Withheld));
        assertEq(pay.monthRecord(PLACEMENT, 202_608).reportNumber, 1);
        vm.prank(ole);
        obl.submitReport(PLACEMENT, keccak256("r1")); // report 2 is still overdue
        assertEq(uint8(pay.monthRecord(PLACEMENT, 202_608).status), uint8(MonthStatus.Withheld));
        pay.releaseWithheld(PLACEMENT); // anyone may try; nothing changes
        assertEq(pay.withheldPeriods(PLACEMENT).length, 1);
        vm.prank(ole);
        obl.submitReport(PLACEMENT, keccak256("r2"));
        PaymentLedger.MonthRecord memory m = pay.monthRecord(PLACEMENT, 202_608);
        assertEq(uint8(m.status), uint8(MonthStatus.Released));
        assertTrue(m.wasWithheld);
        assertEq(m.paymentDue, day(2026, 9, 1));
        assertEq(pay.withheldPeriods(PLACEMENT).length, 0);
        assertEq(pay.totalReleased(), pay.totalWithheld());
    }

    function test_proRataHelper() public view {
        assertEq(pay.proRata(5_200_000, 31, 31), 5_200_000);
        assertEq(pay.proRata(1, 1, 2), 1); // 0.5 rounds up
        assertEq(pay.proRata(1, 1, 3), 0); // 0.33 rounds down
    }

    // ---------------------------------------------------------------- fuzz

    /// @dev Entitlement for any sub-range of a month never exceeds the monthly price, and a whole month
    /// pays exactly the price.
    function testFuzz_proRataNeverExceedsPrice(uint128 price, uint256 days_, uint256 y, uint256 m) public view {
        price = uint128(bound(price, 1, 1e15));
        y = bound(y, 1970, 2200);
        m = bound(m, 1, 12);
        uint256 dim = Dates.daysInMonth(y, m);
        days_ = bound(days_, 0, dim);
        uint128 amount = pay.proRata(price, days_, dim);
        assertLe(amount, price);
        if (days_ == dim) assertEq(amount, price);
        if (days_ == 0) assertEq(amount, 0);
        // rounding half-up: |amount·dim − price·days| ≤ dim/2
        uint256 exact = uint256(price) * days_;
        uint256 scaled = uint256(amount) * dim;
        uint256 diff = scaled > exact ? scaled - exact : exact - scaled;
        assertLe(diff * 2, dim);
    }

    /// @dev A line running whole months is paid exactly price × months, whatever the start month.
    function testFuzz_wholeMonthsSumToPriceTimesMonths(uint128 price, uint8 startOffset, uint8 months) public {
        price = uint128(bound(price, 1, 1e12));
        uint256 offset = bound(startOffset, 0, 23);
        uint256 n = bound(months, 1, 6);
        uint64 start = Dates.addMonths(day(2026, 2, 1), offset);
        uint64 end = Dates.addDays(Dates.addMonths(start, n), 0) - uint64(Dates.DAY);
        Line[] memory lines = new Line[](1);
        lines[0] = monthly(price, start, end);
        DraftInput memory d = placementDraft();
        d.start = start;
        d.terms.reportEveryMonths = 0;
        _activeWith(lines, d);
        vm.warp(uint256(end) + 1 days);
        uint256 total;
        uint32 period = Dates.periodOf(start);
        for (uint256 i; i < n; ++i) {
            vm.prank(finn);
            pay.evaluateMonth(PLACEMENT, period);
            total += _amount(PLACEMENT, period);
            period = Dates.nextPeriod(period);
        }
        assertEq(total, uint256(price) * n);
    }

    /// @dev Days paid over consecutive months add up to the days of the line's period, and each month's
    /// amount stays within the price.
    function testFuzz_daysPaidMatchActivePeriod(uint16 startDay, uint16 length) public {
        uint64 start = Dates.addDays(day(2026, 2, 1), bound(startDay, 0, 400));
        uint64 end = Dates.addDays(start, bound(length, 0, 200));
        Line[] memory lines = new Line[](1);
        lines[0] = monthly(1_234_567, start, end);
        DraftInput memory d = placementDraft();
        d.start = start;
        d.terms.reportEveryMonths = 0;
        _activeWith(lines, d);
        vm.warp(uint256(end) + 40 days);
        uint256 daysPaid;
        for (uint32 p = Dates.periodOf(start); p <= Dates.periodOf(end); p = Dates.nextPeriod(p)) {
            (uint128 total,, uint32[] memory daysActive) = pay.entitlement(PLACEMENT, p);
            assertLe(total, 1_234_567);
            daysPaid += daysActive[0];
        }
        assertEq(daysPaid, Dates.daysBetween(start, end));
        (uint128 after_,,) = pay.entitlement(PLACEMENT, Dates.nextPeriod(Dates.periodOf(end)));
        assertEq(after_, 0);
    }

    /// @dev The schedule's expected sessions equal a day-by-day count of matching dates.
    function testFuzz_sessionsCountedCorrectly(uint16 anchorOffset, uint8 everyWeeks, uint16 fromOffset, uint8 span)
        public
        pure
    {
        uint256 anchor = Dates.addDays(day(2026, 1, 1), bound(anchorOffset, 0, 365));
        uint256 step = bound(everyWeeks, 1, 8) * 7;
        uint256 from = Dates.addDays(day(2026, 1, 1), bound(fromOffset, 0, 500));
        uint256 to = Dates.addDays(from, bound(span, 0, 60));
        uint256 expected;
        for (uint256 t = from; t <= to; t += Dates.DAY) {
            if (t >= anchor && ((t - anchor) / Dates.DAY) % step == 0) expected++;
        }
        assertEq(Dates.countSeries(anchor, step, from, to), expected);
    }

    /// @dev Invoices within the schedule are accepted; anything beyond is a deviation, never payable.
    function testFuzz_invoiceAcceptedIffWithinSchedule(uint32 claimed, uint8 monthOffset) public {
        activateBoth();
        uint32 period = Dates.periodOf(Dates.addMonths(day(2026, 2, 1), bound(monthOffset, 0, 10)));
        claimed = uint32(bound(claimed, 1, 40));
        (, uint64 last,) = Dates.periodBounds(period);
        vm.warp(uint256(last) + 1 days);
        uint32 expected = pay.expectedQuantity(CONTACT, 0, period);
        assertTrue(expected == 8 || expected == 12);
        vm.prank(sanne);
        pay.submitInvoice(CONTACT, 0, period, claimed, keccak256(abi.encode(claimed, period)));
        assertEq(pay.invoicedAmount(CONTACT, period), claimed <= expected ? uint256(claimed) * 65_000 : 0);
    }

    function test_onlyKeeperRoleHoldersGrantedByAdmin() public {
        bytes32 keeperRole = dir.KEEPER_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, dir.DEFAULT_ADMIN_ROLE()
            )
        );
        vm.prank(stranger);
        dir.grantRole(keeperRole, stranger);
    }

    function test_monthlyRunIsOneMulticallForManyAgreements() public {
        activateBoth();
        warpTo(2026, 3, 1);
        vm.prank(sanne);
        pay.submitInvoice(CONTACT, 0, 202_602, 8, keccak256("i"));
        bytes[] memory calls = new bytes[](2);
        calls[0] = abi.encodeCall(PaymentLedger.evaluateMonth, (PLACEMENT, 202_602));
        calls[1] = abi.encodeCall(PaymentLedger.evaluateMonth, (CONTACT, 202_602));
        vm.prank(finn);
        pay.multicall(calls);
        assertEq(_amount(PLACEMENT, 202_602), 7_250_000);
        assertEq(_amount(CONTACT, 202_602), 520_000);
        assertEq(pay.totalEvaluated(), 7_770_000);
    }
}
