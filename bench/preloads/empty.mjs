// Intentionally empty: the cost of --import itself.
