"""Editor accounts: argon2id password hashes, rate-limited sign-in."""
