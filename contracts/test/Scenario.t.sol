// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {AgreementRegistry} from "../src/AgreementRegistry.sol";
import {Obligations} from "../src/Obligations.sol";
import {PaymentLedger} from "../src/PaymentLedger.sol";
import {
    Agreement,
    AgreementStatus,
    Line,
    MonthStatus,
    REASON_REPORT_OVERDUE,
    Version,
    VersionStatus
} from "../src/Types.sol";
import {Fixture} from "./Fixture.sol";

/// @notice The acceptance scenario (shared/docs/scenario-preben.md), steps 1–14, with the ledger clock
/// moved to each date and the exact amounts in øre.
contract PrebenScenarioTest is Fixture {
    function test_prebenScenario_steps1to14() public {
        // 1–2. 2026-01-12: Sara drafts the placement and the related supervised-contact agreement.
        warpTo(2026, 1, 12);
        vm.startPrank(sara);
        reg.draftAgreement(PLACEMENT, placementDraft(), placementLines());
        reg.draftAgreement(CONTACT, contactDraft(), contactLines());
        vm.stopPrank();
        assertEq(uint8(reg.getAgreement(PLACEMENT).status), uint8(AgreementStatus.Draft));
        assertEq(reg.getAgreement(CONTACT).mainAgreement, PLACEMENT);
        assertEq(reg.dependantsOf(PLACEMENT)[0], CONTACT);

        // 3. 2026-01-14: both sign both. 72,500 kr/month > 50,000 kr threshold → awaiting approval;
        //    the related agreement waits for its main agreement.
        warpTo(2026, 1, 14);
        vm.prank(sara);
        reg.signVersion(PLACEMENT, 1);
        vm.expectEmit();
        emit AgreementRegistry.VersionAwaitingApproval(PLACEMENT, 1, 7_250_000, 5_000_000);
        vm.prank(ole);
        reg.signVersion(PLACEMENT, 1);
        vm.prank(sara);
        reg.signVersion(CONTACT, 1);
        vm.expectEmit();
        emit AgreementRegistry.VersionAwaitingMain(CONTACT, 1, PLACEMENT);
        vm.prank(sanne);
        reg.signVersion(CONTACT, 1);
        assertEq(uint8(reg.getAgreement(PLACEMENT).status), uint8(AgreementStatus.AwaitingApproval));
        assertEq(uint8(reg.getAgreement(CONTACT).status), uint8(AgreementStatus.AwaitingMain));

        // 4. 2026-01-15: Bo approves (weight 1 of 2) → still awaiting.
        warpTo(2026, 1, 15);
        vm.prank(bo);
        reg.approveVersion(PLACEMENT, 1);
        assertEq(uint8(reg.getAgreement(PLACEMENT).status), uint8(AgreementStatus.AwaitingApproval));

        // 5. 2026-01-16: Lis approves → both active from 2026-02-01.
        warpTo(2026, 1, 16);
        vm.expectEmit();
        emit AgreementRegistry.AgreementActivated(PLACEMENT, 1, day(2026, 2, 1));
        vm.expectEmit();
        emit AgreementRegistry.AgreementActivated(CONTACT, 1, day(2026, 2, 1));
        vm.prank(lis);
        reg.approveVersion(PLACEMENT, 1);
        assertEq(uint8(reg.getAgreement(PLACEMENT).status), uint8(AgreementStatus.Active));
        assertEq(uint8(reg.getAgreement(CONTACT).status), uint8(AgreementStatus.Active));

        // 6. 2026-03-01: amendment adds school support 9,800 kr/month 2026-03-01..05-31, review 05-15.
        warpTo(2026, 3, 1);
        Line[] memory added = new Line[](1);
        added[0] = monthly(980_000, day(2026, 3, 1), day(2026, 5, 31));
        added[0].reviewDate = day(2026, 5, 15);
        vm.prank(sara);
        uint16 v2 = reg.proposeAmendment(PLACEMENT, added, noChanges());
        assertEq(v2, 2);
        vm.prank(sara);
        reg.signVersion(PLACEMENT, 2);
        vm.prank(ole);
        reg.signVersion(PLACEMENT, 2);
        assertEq(reg.getAgreement(PLACEMENT).effectiveVersion, 2);
        Version memory v1 = reg.getVersion(PLACEMENT, 1);
        assertEq(v1.lines.length, 3);
        assertEq(uint8(v1.status), uint8(VersionStatus.Superseded));
        assertEq(reg.getVersion(PLACEMENT, 2).lines.length, 4);

        // 7. 2026-03-01: monthly run for February.
        vm.expectEmit();
        emit PaymentLedger.MonthApproved(PLACEMENT, 202_602, 7_250_000, day(2026, 3, 1));
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_602);
        assertEq(pay.expectedQuantity(CONTACT, 0, 202_602), 8);
        vm.expectEmit();
        emit PaymentLedger.InvoiceDeviation(CONTACT, 202_602, 0, keccak256("invoice 3 sundays"), 8, 12);
        vm.prank(sanne);
        pay.submitInvoice(CONTACT, 0, 202_602, 12, keccak256("invoice 3 sundays")); // 780,000 øre claimed
        vm.expectEmit();
        emit PaymentLedger.InvoiceAccepted(CONTACT, 202_602, 0, keccak256("invoice 2 sundays"), 8, 520_000);
        vm.prank(sanne);
        pay.submitInvoice(CONTACT, 0, 202_602, 8, keccak256("invoice 2 sundays"));
        vm.prank(finn);
        pay.evaluateMonth(CONTACT, 202_602);
        assertEq(_amount(CONTACT, 202_602), 520_000);
        vm.startPrank(finn);
        pay.recordPayment(PLACEMENT, 202_602, keccak256("pain.001 2026-03"));
        pay.recordPayment(CONTACT, 202_602, keccak256("pain.001 2026-03"));
        vm.stopPrank();
        assertEq(uint8(pay.monthRecord(PLACEMENT, 202_602).status), uint8(MonthStatus.Paid));

        // 8. 2026-05-01: reports due; Østervold does not deliver.
        warpTo(2026, 5, 1);
        obl.checkObligations(PLACEMENT);
        (uint16 overdueN,,) = obl.overdueReport(PLACEMENT, block.timestamp);
        assertEq(overdueN, 0); // within grace

        // 9. 2026-05-15: the school-support review is due → caseworker notified by event.
        warpTo(2026, 5, 15);
        vm.expectEmit();
        emit Obligations.ReviewDue(PLACEMENT, 3, day(2026, 5, 15), day(2026, 5, 31));
        obl.checkObligations(PLACEMENT);

        // 10. 2026-05-20: Samværskonsulenterne delivers its report.
        warpTo(2026, 5, 20);
        vm.expectEmit();
        emit Obligations.StatusReportSubmitted(CONTACT, 1, keccak256("contact report 1"), day(2026, 5, 1), sanne);
        vm.prank(sanne);
        obl.submitReport(CONTACT, keccak256("contact report 1"));

        // 11. 2026-06-01: May for Østervold withheld as a whole: report due 05-01 overdue since 05-16.
        warpTo(2026, 6, 1);
        vm.expectEmit();
        emit PaymentLedger.MonthWithheld(
            PLACEMENT, 202_605, 7_580_000, REASON_REPORT_OVERDUE, 1, day(2026, 5, 1), day(2026, 5, 16)
        );
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_605);
        (, uint128[] memory perLine, uint32[] memory daysActive) = pay.entitlement(PLACEMENT, 202_605);
        assertEq(perLine[2], 0); // taxi ended 2026-04-30
        assertEq(daysActive[2], 0);
        assertEq(perLine[3], 980_000); // school support, all of May
        PaymentLedger.MonthRecord memory may = pay.monthRecord(PLACEMENT, 202_605);
        assertEq(uint8(may.status), uint8(MonthStatus.Withheld));
        assertEq(may.reason, REASON_REPORT_OVERDUE);
        assertEq(may.reportDueDate, day(2026, 5, 1));
        vm.prank(finn);
        vm.expectRevert(
            abi.encodeWithSelector(PaymentLedger.MonthNotPayable.selector, PLACEMENT, 202_605, MonthStatus.Withheld)
        );
        pay.recordPayment(PLACEMENT, 202_605, keccak256("too early"));
        vm.prank(finn);
        pay.evaluateMonth(CONTACT, 202_605); // Samvær delivered: not withheld
        assertEq(uint8(pay.monthRecord(CONTACT, 202_605).status), uint8(MonthStatus.Approved));
        vm.expectEmit();
        emit AgreementRegistry.LineEnded(PLACEMENT, 2, day(2026, 4, 30));
        vm.expectEmit();
        emit AgreementRegistry.LineEnded(PLACEMENT, 3, day(2026, 5, 31));
        reg.checkAgreement(PLACEMENT);

        // 12. 2026-06-03: Østervold anchors its report → May released.
        warpTo(2026, 6, 3);
        vm.expectEmit();
        emit PaymentLedger.MonthReleased(PLACEMENT, 202_605, 7_580_000, day(2026, 6, 3));
        vm.prank(ole);
        obl.submitReport(PLACEMENT, keccak256("placement report 1"));
        assertEq(obl.reportHashOf(PLACEMENT, 1), keccak256("placement report 1"));
        vm.prank(finn);
        pay.recordPayment(PLACEMENT, 202_605, keccak256("pain.001 2026-06"));

        // June: neither taxi nor school support is paid after their end.
        warpTo(2026, 7, 1);
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_606);
        assertEq(_amount(PLACEMENT, 202_606), 6_600_000);

        // Later reports delivered on time (due 2026-08-01 and 2026-11-01).
        warpTo(2026, 7, 25);
        vm.prank(ole);
        obl.submitReport(PLACEMENT, keccak256("placement report 2"));
        vm.prank(sanne);
        obl.submitReport(CONTACT, keccak256("contact report 2"));
        warpTo(2026, 10, 28);
        vm.prank(ole);
        obl.submitReport(PLACEMENT, keccak256("placement report 3"));
        vm.prank(sanne);
        obl.submitReport(CONTACT, keccak256("contact report 3"));

        // 13. 2027-01-20: mutual termination effective 2027-01-31 cascades to the related agreement.
        warpTo(2027, 1, 20);
        vm.prank(sara);
        reg.signTermination(PLACEMENT, day(2027, 1, 31));
        vm.expectEmit();
        emit AgreementRegistry.AgreementTerminated(PLACEMENT, day(2027, 1, 31), 0, bytes32(0));
        vm.expectEmit();
        emit AgreementRegistry.AgreementTerminated(CONTACT, day(2027, 1, 31), 3, PLACEMENT);
        vm.prank(ole);
        reg.signTermination(PLACEMENT, day(2027, 1, 31));
        Agreement memory contact = reg.getAgreement(CONTACT);
        assertEq(uint8(contact.status), uint8(AgreementStatus.Terminated));
        assertEq(contact.end, day(2027, 1, 31));

        // 14. 2027-02-01: the last monthly run; nothing is ever paid after.
        warpTo(2027, 2, 1);
        vm.prank(finn);
        pay.evaluateMonth(PLACEMENT, 202_701);
        assertEq(_amount(PLACEMENT, 202_701), 6_600_000);
        assertEq(pay.expectedQuantity(CONTACT, 0, 202_701), 12); // Sundays 3, 17 and 31 January
        vm.prank(sanne);
        pay.submitInvoice(CONTACT, 0, 202_701, 12, keccak256("invoice jan 2027"));
        vm.prank(finn);
        pay.evaluateMonth(CONTACT, 202_701);
        assertEq(_amount(CONTACT, 202_701), 780_000);
        (overdueN,,) = obl.overdueReport(PLACEMENT, day(2028, 1, 1)); // report 4 (due 2027-02-01) not required
        assertEq(overdueN, 0);

        warpTo(2027, 3, 1);
        vm.startPrank(finn);
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.PeriodOutsideAgreement.selector, PLACEMENT, 202_702));
        pay.evaluateMonth(PLACEMENT, 202_702);
        vm.expectRevert(abi.encodeWithSelector(PaymentLedger.PeriodOutsideAgreement.selector, CONTACT, 202_702));
        pay.evaluateMonth(CONTACT, 202_702);
        vm.stopPrank();
        vm.expectEmit();
        emit PaymentLedger.InvoiceDeviation(CONTACT, 202_702, 0, keccak256("invoice feb 2027"), 0, 4);
        vm.prank(sanne);
        pay.submitInvoice(CONTACT, 0, 202_702, 4, keccak256("invoice feb 2027"));
        (uint128 febTotal,,) = pay.entitlement(PLACEMENT, 202_702);
        assertEq(febTotal, 0);
    }

    function _amount(bytes32 id, uint32 period) private view returns (uint256) {
        PaymentLedger.MonthRecord memory m = pay.monthRecord(id, period);
        return uint256(m.entitled) + m.invoiced;
    }
}
