"""One key, one validator, many threads: every token distinct and valid."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import taap

THREADS = 16
PER_THREAD = 40


def test_many_threads_share_one_key_and_one_validator(key: taap.PrivateKey) -> None:
    validator = taap.PopTokenValidator(replay_cache=True)
    public = key.public_key()

    def work(thread: int) -> list:
        jtis = []
        for call in range(PER_THREAD):
            values = {"uri": f"/t{thread}/{call}", "http-method": "GET", "body": ""}
            token = taap.PopToken.build(key, values)
            jtis.append(validator.validate(token, public, values).jti)
        return jtis

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))
    jtis = [jti for batch in results for jti in batch]
    assert len(jtis) == len(set(jtis)) == THREADS * PER_THREAD


def test_many_threads_signing_with_pem_text_use_the_shared_cache(docs_pem: str) -> None:
    expected = taap.PopToken.build(docs_pem, {"uri": "/"}, iat=1, jti="same")

    def work(_: int) -> set:
        return {taap.PopToken.build(docs_pem, {"uri": "/"}, iat=1, jti="same") for _ in range(20)}

    with ThreadPoolExecutor(8) as pool:
        tokens = set().union(*pool.map(work, range(8)))
    assert tokens == {expected}
