// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

/// @dev What the registry tells the payment ledger when a status report arrives.
interface IPaymentHook {
    function releaseWithheld(bytes32 id) external;
}
