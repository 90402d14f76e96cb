// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {AgreementRegistry} from "../src/AgreementRegistry.sol";
import {Dates} from "../src/Dates.sol";
import {Directory} from "../src/Directory.sol";
import {Obligations} from "../src/Obligations.sol";
import {PaymentLedger} from "../src/PaymentLedger.sol";
import {
    DraftInput,
    Line,
    LineChange,
    Party,
    PaymentTiming,
    Role,
    Schedule,
    ScheduleKind,
    Terms,
    Unit
} from "../src/Types.sol";
import {Test} from "./utils/Test.sol";

/// @dev The scenario's parties ("object mothers") and the deployed contracts, wired as in production.
abstract contract Fixture is Test {
    uint16 internal constant HTK = 169; // Høje-Taastrup Kommune
    uint32 internal constant OESTERVOLD = 12_345_678;
    uint32 internal constant SAMVAER = 87_654_321;
    uint16 internal constant OTHER_MUNI = 101;
    uint32 internal constant KLE_PLACEMENT = 272_400; // 27.24.00
    uint32 internal constant KLE_CONTACT = 271_200; // 27.12.00

    Directory internal dir;
    AgreementRegistry internal reg;
    Obligations internal obl;
    PaymentLedger internal pay;

    address internal registrar = address(0xA11CE);
    address internal htkAdmin = address(0x1690);
    address internal sara = address(0x5A7A);
    address internal bo = address(0xB0);
    address internal lis = address(0x115);
    address internal dorte = address(0xD07E);
    address internal finn = address(0xF177);
    address internal oestAdmin = address(0x0E57);
    address internal ole = address(0x01E);
    address internal samAdmin = address(0x5A3);
    address internal sanne = address(0x5A22E);
    address internal otherAdmin = address(0x0707);
    address internal otherCaseworker = address(0x0708);
    address internal stranger = address(0xBAD);

    bytes32 internal constant PLACEMENT = keccak256("agreement:placement");
    bytes32 internal constant CONTACT = keccak256("agreement:contact");
    bytes32 internal constant CASE_REF = keccak256("salted case reference");
    bytes32 internal constant TEMPLATE = keccak256("template:placement:v1");

    function setUp() public virtual {
        vm.warp(day(2026, 1, 5));
        dir = new Directory(registrar);
        reg = new AgreementRegistry(dir);
        obl = new Obligations(reg);
        pay = new PaymentLedger(obl);
        reg.setObligations(address(obl));
        obl.setPaymentLedger(pay);

        vm.startPrank(registrar);
        dir.registerMunicipality(HTK, htkAdmin);
        dir.registerProvider(OESTERVOLD, oestAdmin);
        dir.registerProvider(SAMVAER, samAdmin);
        dir.registerMunicipality(OTHER_MUNI, otherAdmin);
        vm.stopPrank();

        uint40 htk = dir.municipalityOrg(HTK);
        vm.startPrank(htkAdmin);
        dir.setMember(htk, sara, roleBit(Role.Caseworker));
        dir.setMember(htk, bo, roleBit(Role.CentreChief));
        dir.setMember(htk, lis, roleBit(Role.CentreChief));
        dir.setMember(htk, dorte, roleBit(Role.Director));
        dir.setMember(htk, finn, roleBit(Role.Finance));
        vm.stopPrank();
        uint40 oest = dir.providerOrg(OESTERVOLD);
        uint40 sam = dir.providerOrg(SAMVAER);
        uint40 other = dir.municipalityOrg(OTHER_MUNI);
        vm.prank(oestAdmin);
        dir.setMember(oest, ole, roleBit(Role.ProviderSignatory));
        vm.prank(samAdmin);
        dir.setMember(sam, sanne, roleBit(Role.ProviderSignatory));
        vm.prank(otherAdmin);
        dir.setMember(other, otherCaseworker, roleBit(Role.Caseworker));
    }

    function roleBit(Role r) internal pure returns (uint16) {
        return uint16(1) << uint8(r);
    }

    function day(uint256 y, uint256 m, uint256 d) internal pure returns (uint64) {
        return Dates.fromYmd(y, m, d);
    }

    /// @dev Morning of a business date (08:00 UTC).
    function warpTo(uint256 y, uint256 m, uint256 d) internal {
        vm.warp(uint256(day(y, m, d)) + 8 hours);
    }

    function terms() internal pure returns (Terms memory) {
        return Terms({
            municipalityNoticeDays: 30,
            providerNoticeDays: 90,
            paymentTiming: PaymentTiming.Arrears,
            paymentDeadlineDays: 0,
            reportEveryMonths: 3,
            reportGraceDays: 14
        });
    }

    function monthly(uint128 price, uint64 start, uint64 end) internal pure returns (Line memory l) {
        l.price = price;
        l.unit = Unit.Month;
        l.schedule = Schedule(ScheduleKind.Monthly, 0, 0, 0, 0);
        l.start = start;
        l.end = end;
        l.arrangedBy = Party.Provider;
    }

    function sessions(
        Unit unit,
        uint128 price,
        uint16 hours_,
        uint8 everyWeeks,
        uint64 anchor,
        uint64 start,
        uint64 end
    ) internal pure returns (Line memory l) {
        l.price = price;
        l.unit = unit;
        l.schedule = Schedule(ScheduleKind.Sessions, hours_, everyWeeks, Dates.weekday(anchor), anchor);
        l.start = start;
        l.end = end;
        l.arrangedBy = Party.Provider;
    }

    function placementDraft() internal pure returns (DraftInput memory d) {
        d = DraftInput({
            municipality: HTK,
            provider: OESTERVOLD,
            caseRef: CASE_REF,
            kle: KLE_PLACEMENT,
            templateId: TEMPLATE,
            mainAgreement: bytes32(0),
            start: Dates.fromYmd(2026, 2, 1),
            terms: terms()
        });
    }

    function placementLines() internal pure returns (Line[] memory lines) {
        lines = new Line[](3);
        lines[0] = monthly(5_200_000, Dates.fromYmd(2026, 2, 1), 0); // ophold
        lines[1] = monthly(1_400_000, Dates.fromYmd(2026, 2, 1), 0); // skoledel
        lines[2] = monthly(650_000, Dates.fromYmd(2026, 2, 1), Dates.fromYmd(2026, 4, 30)); // taxi
    }

    function contactDraft() internal pure returns (DraftInput memory d) {
        d = placementDraft();
        d.provider = SAMVAER;
        d.kle = KLE_CONTACT;
        d.mainAgreement = PLACEMENT;
    }

    function contactLines() internal pure returns (Line[] memory lines) {
        lines = new Line[](1);
        uint64 start = Dates.fromYmd(2026, 2, 1); // a Sunday
        lines[0] = sessions(Unit.Hour, 65_000, 4, 2, start, start, 0);
    }

    /// @dev Drafts, signs and approves the placement and the related contact agreement (steps 1–5).
    function activateBoth() internal {
        vm.startPrank(sara);
        reg.draftAgreement(PLACEMENT, placementDraft(), placementLines());
        reg.draftAgreement(CONTACT, contactDraft(), contactLines());
        reg.signVersion(PLACEMENT, 1);
        reg.signVersion(CONTACT, 1);
        vm.stopPrank();
        vm.prank(ole);
        reg.signVersion(PLACEMENT, 1);
        vm.prank(sanne);
        reg.signVersion(CONTACT, 1);
        vm.prank(dorte);
        reg.approveVersion(PLACEMENT, 1);
    }

    function noChanges() internal pure returns (LineChange[] memory) {
        return new LineChange[](0);
    }

    function noLines() internal pure returns (Line[] memory) {
        return new Line[](0);
    }
}
