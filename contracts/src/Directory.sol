// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {OrgKind, Role} from "./Types.sol";

/// @title Directory
/// @notice Who is who on the Tillid ledger: municipalities (by municipality code), providers (by CVR),
/// the member accounts of each organisation with their roles, and each municipality's approval policy.
/// The registrar (the network operator's keeper/deployer) registers organisations; each organisation's
/// own admin members then manage its members and, for a municipality, its policy.
contract Directory is AccessControl, Multicall {
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice Network-wide keeper accounts (may run payment evaluation for any municipality).
    bytes32 public constant KEEPER_ROLE = keccak256("KEEPER_ROLE");

    uint16 internal constant ROLE_MASK_ALL = 0xff;

    struct Member {
        uint40 org;
        uint16 roles;
    }

    /// @notice Approval needed above `thresholdOre` monthly value: approvals weigh `chiefWeight` (centre
    /// chief) or `directorWeight` (director); the version is approved when the sum reaches `needed`.
    struct Policy {
        uint128 thresholdOre;
        uint8 chiefWeight;
        uint8 directorWeight;
        uint8 needed;
    }

    /// @notice Whether organisation `org` (see municipalityOrg / providerOrg) is registered.
    mapping(uint40 org => bool) public registered;
    mapping(address account => Member) internal _members;
    mapping(uint16 municipality => Policy) internal _policies;

    error OrganisationAlreadyRegistered(uint40 org);
    error OrganisationNotRegistered(uint40 org);
    error InvalidOrganisationCode(uint40 org);
    error NotOrganisationAdmin(address account, uint40 org);
    error AccountInOtherOrganisation(address account, uint40 org);
    error NotAMember(address account, uint40 org);
    error InvalidRoles(uint16 roles);
    error ZeroAddress();
    error InvalidPolicy();

    event OrganisationRegistered(uint40 indexed org, OrgKind kind, uint32 code, address indexed admin);
    event MemberSet(uint40 indexed org, address indexed account, uint16 roles);
    event MemberRevoked(uint40 indexed org, address indexed account);
    event PolicySet(
        uint16 indexed municipality, uint128 thresholdOre, uint8 chiefWeight, uint8 directorWeight, uint8 needed
    );

    constructor(address registrar) {
        if (registrar == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, registrar);
        _grantRole(REGISTRAR_ROLE, registrar);
        _grantRole(KEEPER_ROLE, registrar);
    }

    /// @notice The organisation id of municipality `code`: kind in bits 32–39, code below.
    function municipalityOrg(uint16 code) public pure returns (uint40) {
        return (uint40(uint8(OrgKind.Municipality)) << 32) | uint40(code);
    }

    /// @notice The organisation id of the provider with CVR number `cvr`.
    function providerOrg(uint32 cvr) public pure returns (uint40) {
        return (uint40(uint8(OrgKind.Provider)) << 32) | uint40(cvr);
    }

    /// @notice Registers municipality `code` with `admin` as its first admin member and the default
    /// policy (threshold 50,000 kr/month; centre chief 1, director 2, needed 2). Registrar only.
    function registerMunicipality(uint16 code, address admin) external onlyRole(REGISTRAR_ROLE) {
        uint40 org = municipalityOrg(code);
        if (code == 0) revert InvalidOrganisationCode(org);
        _register(org, OrgKind.Municipality, code, admin);
        _setPolicy(code, Policy(5_000_000, 1, 2, 2));
    }

    /// @notice Registers the provider with CVR `cvr` with `admin` as its first admin member. Registrar only.
    function registerProvider(uint32 cvr, address admin) external onlyRole(REGISTRAR_ROLE) {
        uint40 org = providerOrg(cvr);
        if (cvr == 0) revert InvalidOrganisationCode(org);
        _register(org, OrgKind.Provider, cvr, admin);
    }

    /// @notice Gives `account` exactly the role bits `roles` (see `Role`) in organisation `org`.
    /// Callable by an admin member of `org` or the registrar. An account belongs to one organisation.
    function setMember(uint40 org, address account, uint16 roles) external {
        _requireOrgAdmin(org);
        if (account == address(0)) revert ZeroAddress();
        if (roles == 0 || roles & ~ROLE_MASK_ALL != 0) revert InvalidRoles(roles);
        Member storage m = _members[account];
        if (m.roles != 0 && m.org != org) revert AccountInOtherOrganisation(account, m.org);
        m.org = org;
        m.roles = roles;
        emit MemberSet(org, account, roles);
    }

    /// @notice Removes `account` from organisation `org`; it loses every role at once.
    /// Callable by an admin member of `org` or the registrar.
    function revokeMember(uint40 org, address account) external {
        _requireOrgAdmin(org);
        Member storage m = _members[account];
        if (m.roles == 0 || m.org != org) revert NotAMember(account, org);
        delete _members[account];
        emit MemberRevoked(org, account);
    }

    /// @notice Sets the approval policy of `municipality`. Callable by its admin members or the registrar.
    function setPolicy(uint16 municipality, uint128 thresholdOre, uint8 chiefWeight, uint8 directorWeight, uint8 needed)
        external
    {
        _requireOrgAdmin(municipalityOrg(municipality));
        if (needed == 0 || (chiefWeight == 0 && directorWeight == 0)) revert InvalidPolicy();
        _setPolicy(municipality, Policy(thresholdOre, chiefWeight, directorWeight, needed));
    }

    /// @notice The approval policy of `municipality`.
    function policyOf(uint16 municipality) external view returns (Policy memory) {
        return _policies[municipality];
    }

    /// @notice The organisation and role bits of `account` (org 0, roles 0 when not a member).
    function memberOf(address account) external view returns (uint40 org, uint16 roles) {
        Member storage m = _members[account];
        return (m.org, m.roles);
    }

    /// @notice Whether `account` is a member of `org` holding `role`.
    function hasOrgRole(uint40 org, address account, Role role) public view returns (bool) {
        Member storage m = _members[account];
        return m.org == org && m.roles & (uint16(1) << uint8(role)) != 0;
    }

    /// @notice The weight of `account`'s approval for `municipality` under its policy (0 if none).
    function approvalWeight(uint16 municipality, address account) external view returns (uint8) {
        uint40 org = municipalityOrg(municipality);
        Policy storage p = _policies[municipality];
        uint8 w;
        if (hasOrgRole(org, account, Role.CentreChief)) w = p.chiefWeight;
        if (hasOrgRole(org, account, Role.Director) && p.directorWeight > w) w = p.directorWeight;
        return w;
    }

    function _register(uint40 org, OrgKind kind, uint32 code, address admin) private {
        if (registered[org]) revert OrganisationAlreadyRegistered(org);
        if (admin == address(0)) revert ZeroAddress();
        Member storage m = _members[admin];
        if (m.roles != 0 && m.org != org) revert AccountInOtherOrganisation(admin, m.org);
        registered[org] = true;
        m.org = org;
        m.roles = uint16(1) << uint8(Role.Admin);
        emit OrganisationRegistered(org, kind, code, admin);
        emit MemberSet(org, admin, m.roles);
    }

    function _setPolicy(uint16 municipality, Policy memory p) private {
        _policies[municipality] = p;
        emit PolicySet(municipality, p.thresholdOre, p.chiefWeight, p.directorWeight, p.needed);
    }

    function _requireOrgAdmin(uint40 org) private view {
        if (!registered[org]) revert OrganisationNotRegistered(org);
        if (!hasOrgRole(org, msg.sender, Role.Admin) && !hasRole(REGISTRAR_ROLE, msg.sender)) {
            revert NotOrganisationAdmin(msg.sender, org);
        }
    }
}
