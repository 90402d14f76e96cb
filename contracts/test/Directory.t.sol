// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {AgreementRegistry} from "../src/AgreementRegistry.sol";
import {Directory} from "../src/Directory.sol";
import {Role} from "../src/Types.sol";
import {Fixture} from "./Fixture.sol";

contract DirectoryTest is Fixture {
    function test_registrarRegistersOrganisationsWithDefaultPolicy() public view {
        assertTrue(dir.registered(dir.municipalityOrg(HTK)));
        assertTrue(dir.registered(dir.providerOrg(OESTERVOLD)));
        Directory.Policy memory p = dir.policyOf(HTK);
        assertEq(p.thresholdOre, 5_000_000);
        assertEq(p.chiefWeight, 1);
        assertEq(p.directorWeight, 2);
        assertEq(p.needed, 2);
        (uint40 org, uint16 roles) = dir.memberOf(sara);
        assertEq(org, dir.municipalityOrg(HTK));
        assertEq(roles, roleBit(Role.Caseworker));
    }

    function test_onlyRegistrarRegisters() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, dir.REGISTRAR_ROLE()
            )
        );
        vm.prank(stranger);
        dir.registerMunicipality(147, stranger);
    }

    function test_refusesDuplicateZeroCodeAndZeroAdmin() public {
        vm.startPrank(registrar);
        vm.expectRevert(
            abi.encodeWithSelector(Directory.OrganisationAlreadyRegistered.selector, dir.municipalityOrg(HTK))
        );
        dir.registerMunicipality(HTK, address(0x1234));
        vm.expectRevert(abi.encodeWithSelector(Directory.InvalidOrganisationCode.selector, dir.providerOrg(0)));
        dir.registerProvider(0, address(0x1234));
        vm.expectRevert(Directory.ZeroAddress.selector);
        dir.registerProvider(11_111_111, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(Directory.AccountInOtherOrganisation.selector, sara, dir.municipalityOrg(HTK))
        );
        dir.registerProvider(11_111_111, sara);
        vm.stopPrank();
        vm.expectRevert(Directory.ZeroAddress.selector);
        new Directory(address(0));
    }

    function test_onlyTheOrganisationsAdminManagesMembers() public {
        uint40 htk = dir.municipalityOrg(HTK);
        uint40 oest = dir.providerOrg(OESTERVOLD);
        vm.expectRevert(abi.encodeWithSelector(Directory.NotOrganisationAdmin.selector, oestAdmin, htk));
        vm.prank(oestAdmin);
        dir.setMember(htk, stranger, roleBit(Role.Caseworker));
        vm.expectRevert(abi.encodeWithSelector(Directory.NotOrganisationAdmin.selector, sara, htk));
        vm.prank(sara);
        dir.setMember(htk, stranger, roleBit(Role.Caseworker));
        uint40 unknown = dir.providerOrg(5);
        vm.expectRevert(abi.encodeWithSelector(Directory.OrganisationNotRegistered.selector, unknown));
        vm.prank(registrar);
        dir.setMember(unknown, stranger, 1);
        vm.startPrank(htkAdmin);
        vm.expectRevert(abi.encodeWithSelector(Directory.InvalidRoles.selector, 0));
        dir.setMember(htk, stranger, 0);
        vm.expectRevert(abi.encodeWithSelector(Directory.InvalidRoles.selector, 0x100));
        dir.setMember(htk, stranger, 0x100);
        vm.expectRevert(Directory.ZeroAddress.selector);
        dir.setMember(htk, address(0), 1);
        vm.expectRevert(abi.encodeWithSelector(Directory.AccountInOtherOrganisation.selector, ole, oest));
        dir.setMember(htk, ole, roleBit(Role.Caseworker));
        vm.stopPrank();
        // the registrar may act for any organisation
        vm.prank(registrar);
        dir.setMember(htk, stranger, roleBit(Role.Auditor));
        assertTrue(dir.hasOrgRole(htk, stranger, Role.Auditor));
    }

    function test_revokedMemberLosesEveryRight() public {
        uint40 htk = dir.municipalityOrg(HTK);
        vm.expectEmit();
        emit Directory.MemberRevoked(htk, sara);
        vm.prank(htkAdmin);
        dir.revokeMember(htk, sara);
        assertFalse(dir.hasOrgRole(htk, sara, Role.Caseworker));
        vm.expectRevert(abi.encodeWithSelector(AgreementRegistry.MissingRole.selector, sara, htk, Role.Caseworker));
        vm.prank(sara);
        reg.draftAgreement(PLACEMENT, placementDraft(), placementLines());
        vm.expectRevert(abi.encodeWithSelector(Directory.NotAMember.selector, sara, htk));
        vm.prank(htkAdmin);
        dir.revokeMember(htk, sara);
        vm.expectRevert(abi.encodeWithSelector(Directory.NotAMember.selector, ole, htk));
        vm.prank(htkAdmin);
        dir.revokeMember(htk, ole);
    }

    function test_policyIsConfigurableByTheMunicipalityAdminOnly() public {
        vm.expectRevert(
            abi.encodeWithSelector(Directory.NotOrganisationAdmin.selector, dorte, dir.municipalityOrg(HTK))
        );
        vm.prank(dorte);
        dir.setPolicy(HTK, 1, 1, 1, 1);
        vm.startPrank(htkAdmin);
        vm.expectRevert(Directory.InvalidPolicy.selector);
        dir.setPolicy(HTK, 1, 1, 1, 0);
        vm.expectRevert(Directory.InvalidPolicy.selector);
        dir.setPolicy(HTK, 1, 0, 0, 1);
        dir.setPolicy(HTK, 10_000_000, 1, 3, 3);
        vm.stopPrank();
        assertEq(dir.policyOf(HTK).thresholdOre, 10_000_000);
        assertEq(dir.approvalWeight(HTK, dorte), 3);
        assertEq(dir.approvalWeight(HTK, bo), 1);
        assertEq(dir.approvalWeight(HTK, sara), 0);
        assertEq(dir.approvalWeight(OTHER_MUNI, bo), 0);
    }

    function test_raisedThresholdMeansNoApprovalNeeded() public {
        vm.prank(htkAdmin);
        dir.setPolicy(HTK, 8_000_000, 1, 2, 2);
        activateBothWithoutApproval();
    }

    function activateBothWithoutApproval() internal {
        vm.startPrank(sara);
        reg.draftAgreement(PLACEMENT, placementDraft(), placementLines());
        reg.signVersion(PLACEMENT, 1);
        vm.stopPrank();
        vm.prank(ole);
        reg.signVersion(PLACEMENT, 1);
        assertEq(reg.getAgreement(PLACEMENT).effectiveVersion, 1);
    }
}
