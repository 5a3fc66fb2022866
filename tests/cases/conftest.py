"""Case fixtures live in tests/conftest.py (micro_a, point_a, sanitation, case_a)."""
