"""The "getting slower" trend on synthetic noisy computers (bench/trend_rates.py), as a test.

A smaller run than the benchmark's (docs/health.md has its full figures), with
the same noise model and the defaults the tray runs: what a computer would see
is asserted, so a change to the method that makes it nag, or go blind, fails here.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from bench.trend_rates import Noise, Rules, computer_rates


def test_on_noisy_computers_the_trend_rarely_nags_and_finds_a_slowdown_within_two_weeks() -> None:
    with ProcessPoolExecutor(2) as pool:
        rates = computer_rates(pool, 160, seed=3, noise=Noise(), rules=Rules())
    false = rates["false_nudges_per_90_days"]["all"]
    assert false <= 1.0, f"{false} false nudges per computer per 90 days (target ≤ 1)"
    found = rates["all_slower"]["any"]
    assert found["found_within_14_days"] >= 0.9, found
    assert found["found_within_7_days"] >= 0.75, found  # 85 % in the full run; target 90 %
    used = rates["all_slower"]["any_in_days_of_use"]  # days the computer was on
    assert used["found_within_7_days"] >= 0.9, used  # 95 % in the full run
