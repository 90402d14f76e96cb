// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {AgreementRegistry} from "../src/AgreementRegistry.sol";
import {Obligations} from "../src/Obligations.sol";
import {AgreementStatus, DraftInput, Line, ReviewDecision, Role, Version} from "../src/Types.sol";
import {Fixture} from "./Fixture.sol";

contract ObligationsTest is Fixture {
    function setUp() public override {
        super.setUp();
        warpTo(2026, 1, 12);
    }

    function test_reportsAreDueEveryNMonthsFromStart() public {
        activateBoth();
        assertEq(obl.reportDueDate(PLACEMENT, 1), day(2026, 5, 1));
        assertEq(obl.reportDueDate(PLACEMENT, 2), day(2026, 8, 1));
        assertEq(obl.reportDueDate(PLACEMENT, 4), day(2027, 2, 1));
    }

    function test_overdueOnlyAfterGraceDays() public {
        activateBoth();
        (uint16 n,,) = obl.overdueReport(PLACEMENT, day(2026, 5, 15) + 23 hours);
        assertEq(n, 0);
        (uint16 n2, uint64 due, uint64 since) = obl.overdueReport(PLACEMENT, day(2026, 5, 16));
        assertEq(n2, 1);
        assertEq(due, day(2026, 5, 1));
        assertEq(since, day(2026, 5, 16));
    }

    function test_reportOverdueEventIsEmittedOnce() public {
        activateBoth();
        warpTo(2026, 5, 16);
        vm.expectEmit();
        emit Obligations.ReportOverdue(PLACEMENT, 1, day(2026, 5, 1), day(2026, 5, 16));
        obl.checkObligations(PLACEMENT);
        vm.recordLogs();
        obl.checkObligations(PLACEMENT);
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function test_submitReportRefusals() public {
        vm.startPrank(sara);
        reg.draftAgreement(PLACEMENT, placementDraft(), placementLines());
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(Obligations.InvalidStatus.selector, PLACEMENT, AgreementStatus.Draft));
        vm.prank(ole);
        obl.submitReport(PLACEMENT, keccak256("r"));
        vm.prank(sara);
        reg.signVersion(PLACEMENT, 1);
        vm.prank(ole);
        reg.signVersion(PLACEMENT, 1);
        vm.prank(dorte);
        reg.approveVersion(PLACEMENT, 1);

        uint40 oest = dir.providerOrg(OESTERVOLD);
        vm.expectRevert(abi.encodeWithSelector(Obligations.MissingRole.selector, sara, oest, Role.ProviderSignatory));
        vm.prank(sara);
        obl.submitReport(PLACEMENT, keccak256("r"));
        vm.expectRevert(abi.encodeWithSelector(Obligations.MissingRole.selector, sanne, oest, Role.ProviderSignatory));
        vm.prank(sanne);
        obl.submitReport(PLACEMENT, keccak256("r"));
        vm.expectRevert(Obligations.InvalidHash.selector);
        vm.prank(ole);
        obl.submitReport(PLACEMENT, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(Obligations.ReportPeriodNotStarted.selector, PLACEMENT, 1, day(2026, 2, 1))
        );
        vm.prank(ole);
        obl.submitReport(PLACEMENT, keccak256("r1"));
        warpTo(2026, 2, 10);
        vm.prank(ole);
        obl.submitReport(PLACEMENT, keccak256("r1"));
        vm.expectRevert(
            abi.encodeWithSelector(Obligations.ReportPeriodNotStarted.selector, PLACEMENT, 2, day(2026, 5, 1))
        );
        vm.prank(ole);
        obl.submitReport(PLACEMENT, keccak256("r2"));
        assertEq(obl.reportsSubmitted(PLACEMENT), 1);
    }

    function test_noReportDueWithoutObligationOrAfterEnd() public {
        DraftInput memory d = placementDraft();
        d.terms.reportEveryMonths = 0;
        Line[] memory lines = new Line[](1);
        lines[0] = monthly(100_000, day(2026, 2, 1), day(2026, 3, 31));
        vm.prank(sara);
        reg.draftAgreement(PLACEMENT, d, lines);
        vm.prank(sara);
        reg.signVersion(PLACEMENT, 1);
        vm.prank(ole);
        reg.signVersion(PLACEMENT, 1);
        vm.expectRevert(abi.encodeWithSelector(Obligations.NoReportDue.selector, PLACEMENT));
        vm.prank(ole);
        obl.submitReport(PLACEMENT, keccak256("r"));
        (uint16 n,,) = obl.overdueReport(PLACEMENT, day(2030, 1, 1));
        assertEq(n, 0);
        vm.expectRevert(abi.encodeWithSelector(Obligations.UnknownAgreement.selector, CONTACT));
        obl.checkObligations(CONTACT);
    }

    function test_reportAfterTerminationOnlyWhenDueBeforeEnd() public {
        activateBoth();
        warpTo(2026, 4, 1);
        vm.prank(sara);
        reg.signTermination(PLACEMENT, day(2026, 4, 30)); // report 1 (due 05-01) is after the end
        vm.prank(ole);
        reg.signTermination(PLACEMENT, day(2026, 4, 30));
        warpTo(2026, 6, 1);
        (uint16 n,,) = obl.overdueReport(PLACEMENT, block.timestamp);
        assertEq(n, 0);
        vm.expectRevert(abi.encodeWithSelector(Obligations.NoReportDue.selector, PLACEMENT));
        vm.prank(ole);
        obl.submitReport(PLACEMENT, keccak256("r"));
    }

    function _withReviewLine() internal {
        activateBoth();
        warpTo(2026, 3, 1);
        Line[] memory added = new Line[](1);
        added[0] = monthly(980_000, day(2026, 3, 1), day(2026, 5, 31));
        added[0].reviewDate = day(2026, 5, 15);
        vm.prank(sara);
        uint16 v = reg.proposeAmendment(PLACEMENT, added, noChanges());
        vm.prank(sara);
        reg.signVersion(PLACEMENT, v);
        vm.prank(ole);
        reg.signVersion(PLACEMENT, v);
    }

    function test_reviewContinueExtendsTheLineAsANewVersion() public {
        _withReviewLine();
        warpTo(2026, 5, 15);
        vm.expectEmit();
        emit Obligations.ReviewDecided(PLACEMENT, 3, ReviewDecision.Continue, day(2026, 8, 31), 3);
        vm.prank(sara);
        obl.decideReview(PLACEMENT, 3, ReviewDecision.Continue, day(2026, 8, 31));
        assertEq(reg.getAgreement(PLACEMENT).effectiveVersion, 3);
        assertEq(reg.effectiveLines(PLACEMENT)[3].end, day(2026, 8, 31));
        assertEq(reg.getVersion(PLACEMENT, 2).lines[3].end, day(2026, 5, 31)); // version 2 untouched
    }

    function test_reviewEndAndAdjust() public {
        _withReviewLine();
        warpTo(2026, 5, 15);
        vm.prank(sara);
        obl.decideReview(PLACEMENT, 3, ReviewDecision.Adjust, 0);
        assertEq(reg.getAgreement(PLACEMENT).effectiveVersion, 2);
        vm.prank(sara);
        obl.decideReview(PLACEMENT, 3, ReviewDecision.End, day(2026, 5, 20));
        assertEq(reg.effectiveLines(PLACEMENT)[3].end, day(2026, 5, 20));
    }

    function test_reviewRefusals() public {
        _withReviewLine();
        warpTo(2026, 5, 15);
        uint40 htk = dir.municipalityOrg(HTK);
        vm.expectRevert(abi.encodeWithSelector(Obligations.MissingRole.selector, ole, htk, Role.Caseworker));
        vm.prank(ole);
        obl.decideReview(PLACEMENT, 3, ReviewDecision.End, day(2026, 5, 20));
        vm.expectRevert(abi.encodeWithSelector(Obligations.NoReviewOnLine.selector, PLACEMENT, 0));
        vm.prank(sara);
        obl.decideReview(PLACEMENT, 0, ReviewDecision.End, day(2026, 5, 20));
        vm.expectRevert(abi.encodeWithSelector(Obligations.NoReviewOnLine.selector, PLACEMENT, 9));
        vm.prank(sara);
        obl.decideReview(PLACEMENT, 9, ReviewDecision.End, day(2026, 5, 20));
        vm.expectRevert(
            abi.encodeWithSelector(
                Obligations.InvalidReviewDecision.selector, ReviewDecision.Continue, day(2026, 5, 31)
            )
        );
        vm.prank(sara);
        obl.decideReview(PLACEMENT, 3, ReviewDecision.Continue, day(2026, 5, 31));
        vm.expectRevert(
            abi.encodeWithSelector(Obligations.InvalidReviewDecision.selector, ReviewDecision.End, day(2026, 5, 14))
        );
        vm.prank(sara);
        obl.decideReview(PLACEMENT, 3, ReviewDecision.End, day(2026, 5, 14));
        vm.expectRevert(abi.encodeWithSelector(Obligations.InvalidReviewDecision.selector, ReviewDecision.None, 0));
        vm.prank(sara);
        obl.decideReview(PLACEMENT, 3, ReviewDecision.None, 0);
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.InvalidLineEnd.selector, PLACEMENT, 3, day(2026, 8, 31) + 1)
        );
        vm.prank(sara);
        obl.decideReview(PLACEMENT, 3, ReviewDecision.Continue, day(2026, 8, 31) + 1);
    }

    function test_wiringIsDeployerOnlyAndOnce() public {
        vm.expectRevert(Obligations.PaymentLedgerAlreadySet.selector);
        obl.setPaymentLedger(pay);
        vm.expectRevert(abi.encodeWithSelector(Obligations.NotDeployer.selector, stranger));
        vm.prank(stranger);
        obl.setPaymentLedger(pay);
    }
}
