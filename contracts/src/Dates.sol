// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

/// @title Dates
/// @notice Calendar arithmetic for business dates on chain. A date is the Unix timestamp (seconds) of
/// 00:00 UTC on that calendar day, so it is always a multiple of 86,400. The Danish business date is
/// encoded as if it were a UTC date (2026-02-01 → 1_769_904_000); block time is compared with it by
/// taking the UTC day of the block. Months are identified as periods `yyyymm` (202602).
/// @dev Civil-from-days and days-from-civil follow Howard Hinnant's algorithms (proleptic Gregorian).
library Dates {
    uint256 internal constant DAY = 86_400;

    error InvalidDate(uint256 date);
    error InvalidPeriod(uint32 period);

    /// @notice The date (00:00 UTC) of the day containing `timestamp`.
    function dayOf(uint256 timestamp) internal pure returns (uint64) {
        return uint64(timestamp - (timestamp % DAY));
    }

    function isDate(uint256 date) internal pure returns (bool) {
        return date % DAY == 0;
    }

    function fromYmd(uint256 y, uint256 m, uint256 d) internal pure returns (uint64) {
        int256 yy = int256(y) - (m <= 2 ? int256(1) : int256(0));
        int256 era = (yy >= 0 ? yy : yy - 399) / 400;
        uint256 yoe = uint256(yy - era * 400);
        uint256 mp = m > 2 ? m - 3 : m + 9;
        uint256 doy = (153 * mp + 2) / 5 + d - 1;
        uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        int256 days_ = era * 146_097 + int256(doe) - 719_468;
        return uint64(uint256(days_) * DAY);
    }

    function toYmd(uint256 date) internal pure returns (uint256 y, uint256 m, uint256 d) {
        uint256 z = date / DAY + 719_468;
        uint256 era = z / 146_097;
        uint256 doe = z - era * 146_097;
        uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        uint256 mp = (5 * doy + 2) / 153;
        d = doy - (153 * mp + 2) / 5 + 1;
        m = mp < 10 ? mp + 3 : mp - 9;
        y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    }

    function isLeapYear(uint256 y) internal pure returns (bool) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    }

    function daysInMonth(uint256 y, uint256 m) internal pure returns (uint256) {
        if (m == 2) return isLeapYear(y) ? 29 : 28;
        if (m == 4 || m == 6 || m == 9 || m == 11) return 30;
        return 31;
    }

    /// @notice ISO weekday: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    function weekday(uint256 date) internal pure returns (uint8) {
        return uint8(((date / DAY + 3) % 7) + 1);
    }

    /// @notice Same day-of-month `n` months later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb).
    function addMonths(uint256 date, uint256 n) internal pure returns (uint64) {
        (uint256 y, uint256 m, uint256 d) = toYmd(date);
        uint256 months = y * 12 + (m - 1) + n;
        y = months / 12;
        m = (months % 12) + 1;
        uint256 dim = daysInMonth(y, m);
        return fromYmd(y, m, d > dim ? dim : d);
    }

    function addDays(uint256 date, uint256 n) internal pure returns (uint64) {
        return uint64(date + n * DAY);
    }

    /// @notice First and last date of period `yyyymm`, and its number of days.
    function periodBounds(uint32 period) internal pure returns (uint64 first, uint64 last, uint256 dim) {
        uint256 y = period / 100;
        uint256 m = period % 100;
        if (m < 1 || m > 12 || y < 1970 || y > 9999) revert InvalidPeriod(period);
        dim = daysInMonth(y, m);
        first = fromYmd(y, m, 1);
        last = first + uint64((dim - 1) * DAY);
    }

    function periodOf(uint256 date) internal pure returns (uint32) {
        (uint256 y, uint256 m,) = toYmd(date);
        return uint32(y * 100 + m);
    }

    function nextPeriod(uint32 period) internal pure returns (uint32) {
        return period % 100 == 12 ? (period / 100 + 1) * 100 + 1 : period + 1;
    }

    /// @notice Days in the inclusive range [from, to]; 0 when empty.
    function daysBetween(uint256 from, uint256 to) internal pure returns (uint256) {
        return to < from ? 0 : (to - from) / DAY + 1;
    }

    /// @notice Occurrences of a fortnightly-style series (anchor + k·stepDays, k ≥ 0) within [from, to].
    function countSeries(uint256 anchor, uint256 stepDays, uint256 from, uint256 to) internal pure returns (uint256) {
        if (to < from || to < anchor || stepDays == 0) return 0;
        uint256 step = stepDays * DAY;
        uint256 firstK = from <= anchor ? 0 : (from - anchor + step - 1) / step;
        uint256 lastK = (to - anchor) / step;
        return lastK >= firstK ? lastK - firstK + 1 : 0;
    }
}
