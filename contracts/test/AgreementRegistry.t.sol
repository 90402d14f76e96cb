// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {AgreementRegistry} from "../src/AgreementRegistry.sol";
import {
    Agreement,
    AgreementStatus,
    DraftInput,
    Line,
    LineChange,
    Party,
    Role,
    ScheduleKind,
    Unit,
    Version,
    VersionStatus
} from "../src/Types.sol";
import {Fixture} from "./Fixture.sol";

contract AgreementRegistryTest is Fixture {
    function setUp() public override {
        super.setUp();
        warpTo(2026, 1, 12);
    }

    function _draft() internal {
        vm.prank(sara);
        reg.draftAgreement(PLACEMENT, placementDraft(), placementLines());
    }

    function _signBoth(bytes32 id, uint16 version, address providerSigner) internal {
        vm.prank(sara);
        reg.signVersion(id, version);
        vm.prank(providerSigner);
        reg.signVersion(id, version);
    }

    function _status(bytes32 id) internal view returns (uint8) {
        return uint8(reg.getAgreement(id).status);
    }

    // ---------------------------------------------------------------- drafting

    function test_draftRecordsPartiesTermsAndDefaultGrace() public {
        DraftInput memory d = placementDraft();
        d.terms.reportGraceDays = 0;
        vm.expectEmit();
        emit AgreementRegistry.AgreementDrafted(
            PLACEMENT, HTK, OESTERVOLD, CASE_REF, KLE_PLACEMENT, TEMPLATE, bytes32(0), day(2026, 2, 1), sara
        );
        vm.prank(sara);
        reg.draftAgreement(PLACEMENT, d, placementLines());
        Agreement memory a = reg.getAgreement(PLACEMENT);
        assertEq(a.terms.reportGraceDays, 14);
        assertEq(a.kle, 272_400);
        assertEq(a.pendingVersion, 1);
        assertEq(reg.getVersion(PLACEMENT, 1).monthlyValue, 7_250_000);
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.Draft));
    }

    function test_draftRefusals() public {
        uint40 htk = dir.municipalityOrg(HTK);
        DraftInput memory d = placementDraft();
        Line[] memory lines = placementLines();

        vm.expectRevert(AgreementRegistry.InvalidAgreementId.selector);
        vm.prank(sara);
        reg.draftAgreement(bytes32(0), d, lines);

        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.MissingRole.selector, bo, htk, Role.Caseworker));
        vm.prank(bo);
        reg.draftAgreement(PLACEMENT, d, lines);

        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.MissingRole.selector, otherCaseworker, htk, Role.Caseworker)
        );
        vm.prank(otherCaseworker);
        reg.draftAgreement(PLACEMENT, d, lines);

        d.provider = 999;
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.UnknownOrganisation.selector, dir.providerOrg(999)));
        vm.prank(sara);
        reg.draftAgreement(PLACEMENT, d, lines);

        d = placementDraft();
        d.start = day(2026, 2, 1) + 1;
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.InvalidDate.selector, d.start));
        vm.prank(sara);
        reg.draftAgreement(PLACEMENT, d, lines);

        d = placementDraft();
        d.mainAgreement = keccak256("nothing");
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.InvalidMainAgreement.selector, d.mainAgreement));
        vm.prank(sara);
        reg.draftAgreement(CONTACT, d, lines);

        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.InvalidLineCount.selector, 0));
        vm.prank(sara);
        reg.draftAgreement(PLACEMENT, placementDraft(), noLines());

        _draft();
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.AgreementExists.selector, PLACEMENT));
        vm.prank(sara);
        reg.draftAgreement(PLACEMENT, placementDraft(), lines);

        d = placementDraft();
        d.mainAgreement = PLACEMENT;
        d.municipality = OTHER_MUNI;
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.InvalidMainAgreement.selector, PLACEMENT));
        vm.prank(otherCaseworker);
        reg.draftAgreement(CONTACT, d, lines);
    }

    function test_invalidLinesAreRefused() public {
        Line[] memory lines = placementLines();
        lines[1].price = 0;
        _expectInvalidLine(lines, 1);
        lines = placementLines();
        lines[0].start = day(2026, 1, 31); // before the agreement's start
        _expectInvalidLine(lines, 0);
        lines = placementLines();
        lines[2].end = day(2026, 1, 31) + 86_400 * 0; // end before start
        _expectInvalidLine(lines, 2);
        lines = placementLines();
        lines[0].schedule.kind = ScheduleKind.Sessions; // monthly price with a session schedule
        _expectInvalidLine(lines, 0);
        lines = contactLines();
        lines[0].schedule.weekday = 1; // anchor is a Sunday, not a Monday
        _expectInvalidLine(lines, 0);
        lines = contactLines();
        lines[0].schedule.everyWeeks = 0;
        _expectInvalidLine(lines, 0);
        lines = contactLines();
        lines[0].schedule.hoursPerSession = 0; // hourly line needs hours per session
        _expectInvalidLine(lines, 0);
        lines = placementLines();
        lines[0].reviewDate = day(2026, 1, 1);
        _expectInvalidLine(lines, 0);
    }

    function _expectInvalidLine(Line[] memory lines, uint256 index) internal {
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.InvalidLine.selector, index));
        vm.prank(sara);
        reg.draftAgreement(PLACEMENT, placementDraft(), lines);
    }

    // ---------------------------------------------------------------- signing and approval

    function test_signingRefusals() public {
        _draft();
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.UnknownAgreement.selector, CONTACT));
        vm.prank(sara);
        reg.signVersion(CONTACT, 1);
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.UnknownVersion.selector, PLACEMENT, 2));
        vm.prank(sara);
        reg.signVersion(PLACEMENT, 2);
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.NotAParty.selector, finn, PLACEMENT));
        vm.prank(finn);
        reg.signVersion(PLACEMENT, 1);
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.NotAParty.selector, sanne, PLACEMENT));
        vm.prank(sanne); // signatory of another provider
        reg.signVersion(PLACEMENT, 1);
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.NotAParty.selector, otherCaseworker, PLACEMENT));
        vm.prank(otherCaseworker);
        reg.signVersion(PLACEMENT, 1);
        vm.prank(sara);
        reg.signVersion(PLACEMENT, 1);
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.AlreadySigned.selector, PLACEMENT, 1, Party.Municipality)
        );
        vm.prank(sara);
        reg.signVersion(PLACEMENT, 1);
        vm.prank(ole);
        reg.signVersion(PLACEMENT, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                AgreementRegistry.VersionNotOpen.selector, PLACEMENT, 1, VersionStatus.AwaitingApproval
            )
        );
        vm.prank(ole);
        reg.signVersion(PLACEMENT, 1);
    }

    function test_belowThresholdActivatesOnSecondSignature() public {
        vm.prank(sara);
        Line[] memory lines = new Line[](1);
        lines[0] = monthly(5_000_000, day(2026, 2, 1), 0); // exactly the threshold: no approval
        reg.draftAgreement(PLACEMENT, placementDraft(), lines);
        vm.prank(ole);
        reg.signVersion(PLACEMENT, 1);
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.Draft));
        vm.expectEmit();
        emit AgreementRegistry.AgreementActivated(PLACEMENT, 1, day(2026, 2, 1));
        vm.prank(sara);
        reg.signVersion(PLACEMENT, 1);
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.Active));
    }

    function test_oneDirectorSufficesTwoChiefsNeeded() public {
        _draft();
        _signBoth(PLACEMENT, 1, ole);
        vm.prank(bo);
        reg.approveVersion(PLACEMENT, 1);
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.AwaitingApproval));
        vm.prank(dorte);
        reg.approveVersion(PLACEMENT, 1);
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.Active));
        assertEq(reg.getVersion(PLACEMENT, 1).approvalWeight, 3);
    }

    function test_directorAloneActivates() public {
        _draft();
        _signBoth(PLACEMENT, 1, ole);
        vm.prank(dorte);
        reg.approveVersion(PLACEMENT, 1);
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.Active));
    }

    function test_approvalRefusals() public {
        _draft();
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.VersionNotOpen.selector, PLACEMENT, 1, VersionStatus.Proposed)
        );
        vm.prank(dorte);
        reg.approveVersion(PLACEMENT, 1); // not signed yet
        _signBoth(PLACEMENT, 1, ole);
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.NotAnApprover.selector, finn, HTK));
        vm.prank(finn);
        reg.approveVersion(PLACEMENT, 1);
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.NotAnApprover.selector, ole, HTK));
        vm.prank(ole);
        reg.approveVersion(PLACEMENT, 1);
        vm.prank(bo);
        reg.approveVersion(PLACEMENT, 1);
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.AlreadyApproved.selector, PLACEMENT, 1, bo));
        vm.prank(bo);
        reg.approveVersion(PLACEMENT, 1);
    }

    function test_drafterCannotApproveOwnDraftEvenAsChief() public {
        // Sara also holds the centre chief role: her approval of her own draft is refused.
        uint40 htk = dir.municipalityOrg(HTK);
        vm.prank(htkAdmin);
        dir.setMember(htk, sara, roleBit(Role.Caseworker) | roleBit(Role.Director));
        _draft();
        _signBoth(PLACEMENT, 1, ole);
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.SelfApproval.selector, sara));
        vm.prank(sara);
        reg.approveVersion(PLACEMENT, 1);
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.AwaitingApproval));
    }

    function test_relatedAgreementWaitsForItsMainAndActivatesWithIt() public {
        _draft();
        vm.prank(sara);
        reg.draftAgreement(CONTACT, contactDraft(), contactLines());
        _signBoth(CONTACT, 1, sanne);
        assertEq(_status(CONTACT), uint8(AgreementStatus.AwaitingMain));
        reg.checkAgreement(CONTACT); // main not active: nothing happens
        assertEq(_status(CONTACT), uint8(AgreementStatus.AwaitingMain));
        _signBoth(PLACEMENT, 1, ole);
        vm.prank(dorte);
        reg.approveVersion(PLACEMENT, 1);
        assertEq(_status(CONTACT), uint8(AgreementStatus.Active));
        assertEq(reg.getAgreement(CONTACT).effectiveVersion, 1);
    }

    function test_relatedAgreementOfActiveMainActivatesAtOnce() public {
        _draft();
        _signBoth(PLACEMENT, 1, ole);
        vm.prank(dorte);
        reg.approveVersion(PLACEMENT, 1);
        vm.prank(sara);
        reg.draftAgreement(CONTACT, contactDraft(), contactLines());
        _signBoth(CONTACT, 1, sanne);
        assertEq(_status(CONTACT), uint8(AgreementStatus.Active));
    }

    // ---------------------------------------------------------------- amendments

    function _activePlacement() internal {
        activateBoth();
    }

    function test_amendmentChangesLineWithoutTouchingSignedVersion() public {
        _activePlacement();
        warpTo(2026, 4, 1);
        LineChange[] memory changes = new LineChange[](1);
        changes[0] = LineChange({index: 0, effectiveFrom: day(2026, 4, 15), price: 5_400_000, end: 0, reviewDate: 0});
        vm.prank(sara);
        uint16 v = reg.proposeAmendment(PLACEMENT, noLines(), changes);
        Version memory proposed = reg.getVersion(PLACEMENT, v);
        assertEq(proposed.lines.length, 4);
        assertEq(proposed.lines[0].end, day(2026, 4, 14));
        assertEq(proposed.lines[3].start, day(2026, 4, 15));
        assertEq(proposed.lines[3].price, 5_400_000);
        assertEq(proposed.valueIncrease, 200_000);
        _signBoth(PLACEMENT, v, ole);
        assertEq(reg.getAgreement(PLACEMENT).effectiveVersion, v);
        Version memory v1 = reg.getVersion(PLACEMENT, 1);
        assertEq(v1.lines[0].end, 0); // the signed version never changes
        assertEq(v1.lines.length, 3);
    }

    function test_amendmentAboveThresholdNeedsApproval() public {
        _activePlacement();
        Line[] memory added = new Line[](1);
        added[0] = monthly(6_000_000, day(2026, 3, 1), 0);
        vm.prank(sara);
        uint16 v = reg.proposeAmendment(PLACEMENT, added, noChanges());
        _signBoth(PLACEMENT, v, ole);
        assertEq(uint8(reg.getVersion(PLACEMENT, v).status), uint8(VersionStatus.AwaitingApproval));
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.Active)); // still in force on version 1
        vm.prank(dorte);
        reg.approveVersion(PLACEMENT, v);
        assertEq(reg.getAgreement(PLACEMENT).effectiveVersion, v);
    }

    function test_amendmentRefusals() public {
        _draft();
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.InvalidStatus.selector, PLACEMENT, AgreementStatus.Draft)
        );
        vm.prank(sara);
        reg.proposeAmendment(PLACEMENT, placementLines(), noChanges());
        _signBoth(PLACEMENT, 1, ole);
        vm.prank(dorte);
        reg.approveVersion(PLACEMENT, 1);

        warpTo(2026, 3, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                AgreementRegistry.MissingRole.selector, ole, dir.municipalityOrg(HTK), Role.Caseworker
            )
        );
        vm.prank(ole);
        reg.proposeAmendment(PLACEMENT, placementLines(), noChanges());
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.InvalidLineCount.selector, 3));
        vm.prank(sara);
        reg.proposeAmendment(PLACEMENT, noLines(), noChanges());
        Line[] memory added = new Line[](1);
        added[0] = monthly(100_000, day(2026, 2, 15), 0); // retroactive
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.DateInPast.selector, day(2026, 2, 15), day(2026, 3, 1))
        );
        vm.prank(sara);
        reg.proposeAmendment(PLACEMENT, added, noChanges());
        LineChange[] memory changes = new LineChange[](1);
        changes[0] = LineChange({index: 0, effectiveFrom: day(2026, 2, 20), price: 1, end: 0, reviewDate: 0});
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.DateInPast.selector, day(2026, 2, 20), day(2026, 3, 1))
        );
        vm.prank(sara);
        reg.proposeAmendment(PLACEMENT, noLines(), changes);
        changes[0] = LineChange({index: 9, effectiveFrom: day(2026, 3, 20), price: 1, end: 0, reviewDate: 0});
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.InvalidLine.selector, 9));
        vm.prank(sara);
        reg.proposeAmendment(PLACEMENT, noLines(), changes);
        changes[0] = LineChange({index: 2, effectiveFrom: day(2026, 5, 20), price: 1, end: 0, reviewDate: 0});
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.InvalidLine.selector, 2)); // taxi ends 04-30
        vm.prank(sara);
        reg.proposeAmendment(PLACEMENT, noLines(), changes);

        added[0] = monthly(100_000, day(2026, 3, 1), 0);
        vm.prank(sara);
        uint16 v = reg.proposeAmendment(PLACEMENT, added, noChanges());
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.AmendmentPending.selector, PLACEMENT, v));
        vm.prank(sara);
        reg.proposeAmendment(PLACEMENT, added, noChanges());
    }

    function test_terminatedAgreementCannotBeAmendedOrSigned() public {
        _activePlacement();
        Line[] memory added = new Line[](1);
        added[0] = monthly(100_000, day(2026, 3, 1), 0);
        vm.prank(sara);
        uint16 v = reg.proposeAmendment(PLACEMENT, added, noChanges());
        vm.prank(sara);
        reg.signTermination(PLACEMENT, day(2026, 2, 28));
        vm.prank(ole);
        reg.signTermination(PLACEMENT, day(2026, 2, 28));
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.InvalidStatus.selector, PLACEMENT, AgreementStatus.Terminated)
        );
        vm.prank(sara);
        reg.proposeAmendment(PLACEMENT, added, noChanges());
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.VersionNotOpen.selector, PLACEMENT, v, VersionStatus.Proposed)
        );
        vm.prank(sara);
        reg.signVersion(PLACEMENT, v);
    }

    // ---------------------------------------------------------------- termination and expiry

    function test_mutualTerminationNeedsBothPartiesOnTheSameDate() public {
        _activePlacement();
        vm.prank(sara);
        reg.signTermination(PLACEMENT, day(2026, 6, 30));
        vm.prank(sara); // the same party again: still a proposal
        reg.signTermination(PLACEMENT, day(2026, 6, 30));
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.Active));
        vm.prank(ole); // a different date: a counter-proposal
        reg.signTermination(PLACEMENT, day(2026, 7, 31));
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.Active));
        vm.prank(sara);
        reg.signTermination(PLACEMENT, day(2026, 7, 31));
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.Terminated));
        assertEq(reg.getAgreement(PLACEMENT).end, day(2026, 7, 31));
        assertEq(_status(CONTACT), uint8(AgreementStatus.Terminated));
        assertEq(reg.getAgreement(CONTACT).end, day(2026, 7, 31));
    }

    function test_terminationRefusals() public {
        _draft();
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.InvalidStatus.selector, PLACEMENT, AgreementStatus.Draft)
        );
        vm.prank(sara);
        reg.signTermination(PLACEMENT, day(2026, 6, 30));
        _signBoth(PLACEMENT, 1, ole);
        vm.prank(dorte);
        reg.approveVersion(PLACEMENT, 1);
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.DateInPast.selector, day(2026, 1, 11), day(2026, 1, 12))
        );
        vm.prank(sara);
        reg.signTermination(PLACEMENT, day(2026, 1, 11));
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.InvalidDate.selector, day(2026, 6, 30) + 5));
        vm.prank(sara);
        reg.signTermination(PLACEMENT, day(2026, 6, 30) + 5);
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.NotAParty.selector, bo, PLACEMENT));
        vm.prank(bo);
        reg.signTermination(PLACEMENT, day(2026, 6, 30));
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.NotAParty.selector, sanne, PLACEMENT));
        vm.prank(sanne);
        reg.terminateUnilaterally(PLACEMENT, day(2026, 6, 30));
    }

    function test_unilateralTerminationRespectsEachPartysNotice() public {
        _activePlacement();
        // municipality: 30 days' notice from 2026-01-12 → earliest 2026-02-11
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.NoticeTooShort.selector, day(2026, 2, 10), day(2026, 2, 11))
        );
        vm.prank(sara);
        reg.terminateUnilaterally(PLACEMENT, day(2026, 2, 10));
        // provider: 90 days → earliest 2026-04-12
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.NoticeTooShort.selector, day(2026, 3, 1), day(2026, 4, 12))
        );
        vm.prank(ole);
        reg.terminateUnilaterally(PLACEMENT, day(2026, 3, 1));
        vm.expectEmit();
        emit AgreementRegistry.AgreementTerminated(PLACEMENT, day(2026, 4, 12), 2, bytes32(0));
        vm.expectEmit();
        emit AgreementRegistry.AgreementTerminated(CONTACT, day(2026, 4, 12), 3, PLACEMENT);
        vm.prank(ole);
        reg.terminateUnilaterally(PLACEMENT, day(2026, 4, 12));
    }

    function test_terminationCascadesToDraftDependants() public {
        _draft();
        _signBoth(PLACEMENT, 1, ole);
        vm.prank(dorte);
        reg.approveVersion(PLACEMENT, 1);
        vm.prank(sara);
        reg.draftAgreement(CONTACT, contactDraft(), contactLines());
        vm.prank(sara);
        reg.terminateUnilaterally(PLACEMENT, day(2026, 3, 31));
        assertEq(_status(CONTACT), uint8(AgreementStatus.Terminated));
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.VersionNotOpen.selector, CONTACT, 1, VersionStatus.Proposed)
        );
        vm.prank(sanne);
        reg.signVersion(CONTACT, 1);
    }

    function test_expiresWhenAllLinesHaveEnded() public {
        Line[] memory lines = new Line[](2);
        lines[0] = monthly(1_000_000, day(2026, 2, 1), day(2026, 3, 31));
        lines[1] = monthly(500_000, day(2026, 2, 1), day(2026, 4, 30));
        vm.prank(sara);
        reg.draftAgreement(PLACEMENT, placementDraft(), lines);
        _signBoth(PLACEMENT, 1, ole);
        warpTo(2026, 4, 30);
        reg.checkAgreement(PLACEMENT);
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.Active));
        warpTo(2026, 5, 1);
        vm.expectEmit();
        emit AgreementRegistry.LineEnded(PLACEMENT, 1, day(2026, 4, 30));
        vm.expectEmit();
        emit AgreementRegistry.AgreementExpired(PLACEMENT, day(2026, 4, 30));
        reg.checkAgreement(PLACEMENT);
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.Expired));
        assertEq(reg.getAgreement(PLACEMENT).end, day(2026, 4, 30));
        reg.checkAgreement(PLACEMENT); // idempotent
    }

    function test_openLineNeverExpires() public {
        _activePlacement();
        warpTo(2030, 1, 1);
        reg.checkAgreement(PLACEMENT);
        assertEq(_status(PLACEMENT), uint8(AgreementStatus.Active));
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.UnknownAgreement.selector, keccak256("x")));
        reg.checkAgreement(keccak256("x"));
    }

    // ---------------------------------------------------------------- wiring

    function test_wiringIsDeployerOnlyAndOnce() public {
        vm.expectRevert(AgreementRegistry.ObligationsAlreadySet.selector);
        reg.setObligations(address(1));
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.NotDeployer.selector, stranger));
        vm.prank(stranger);
        reg.setObligations(address(1));
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.NotObligations.selector, stranger));
        vm.prank(stranger);
        reg.applyReviewDecision(PLACEMENT, 0, day(2026, 5, 1));
    }

    function test_multicallBatchesChecks() public {
        _activePlacement();
        bytes[] memory calls = new bytes[](2);
        calls[0] = abi.encodeCall(AgreementRegistry.checkAgreement, (PLACEMENT));
        calls[1] = abi.encodeCall(AgreementRegistry.checkAgreement, (CONTACT));
        warpTo(2026, 5, 1);
        vm.expectEmit();
        emit AgreementRegistry.LineEnded(PLACEMENT, 2, day(2026, 4, 30));
        reg.multicall(calls);
    }

    function test_monthlyValueOfSessionLinesUsesTheBusiestMonth() public view {
        Line memory l = contactLines()[0]; // 4 h every 2nd week at 650 kr/h: at most 3 sessions a month
        assertEq(reg.monthlyValueOf(l), 3 * 4 * 65_000);
        l.unit = Unit.Session;
        assertEq(reg.monthlyValueOf(l), 3 * 65_000);
    }

    function test_openAmendmentCanBeWithdrawnByTheCaseworker() public {
        _activePlacement();
        Line[] memory added = new Line[](1);
        added[0] = monthly(100_000, day(2026, 3, 1), 0);
        vm.prank(sara);
        uint16 v = reg.proposeAmendment(PLACEMENT, added, noChanges());
        vm.expectRevert(
            abi.encodeWithSelector(
                AgreementRegistry.MissingRole.selector, ole, dir.municipalityOrg(HTK), Role.Caseworker
            )
        );
        vm.prank(ole);
        reg.withdrawVersion(PLACEMENT, v);
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.UnknownVersion.selector, PLACEMENT, 1));
        vm.prank(sara);
        reg.withdrawVersion(PLACEMENT, 1);
        vm.expectEmit();
        emit AgreementRegistry.VersionWithdrawn(PLACEMENT, v, sara);
        vm.prank(sara);
        reg.withdrawVersion(PLACEMENT, v);
        assertEq(uint8(reg.getVersion(PLACEMENT, v).status), uint8(VersionStatus.Withdrawn));
        vm.expectRevert(
            abi.encodeWithSelector(AgreementRegistry.VersionNotOpen.selector, PLACEMENT, v, VersionStatus.Withdrawn)
        );
        vm.prank(ole);
        reg.signVersion(PLACEMENT, v);
        vm.prank(sara);
        assertEq(reg.proposeAmendment(PLACEMENT, added, noChanges()), v + 1);
    }
}
