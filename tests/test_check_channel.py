"""The grader's channel: only an outcome signed with the run's key, for the step being read,
is believed; anything printed, forged or replayed from another step is not."""

import json

from course.check_channel import (
    CHANNEL_MIME,
    _sign,
    read_key,
    read_outcome,
    step_source,
)

KEY = bytes(range(32))


def published(data):
    return {"output_type": "display_data", "data": {CHANNEL_MIME: data}, "metadata": {}}


def signed(step, status="passed", key=KEY):
    payload = json.dumps({"step": step, "exercise": "fee_in_eth", "status": status,
                          "message": "fine"})
    return published({"payload": payload, "mac": _sign(key, payload)})


def test_an_outcome_signed_with_the_key_for_this_step_is_read():
    assert read_outcome([signed(3)], KEY, step=3) == {
        "exercise": "fee_in_eth", "status": "passed", "message": "fine"}


def test_an_outcome_signed_with_another_key_is_not_believed():
    assert read_outcome([signed(3, key=bytes(32))], KEY, step=3) is None


def test_a_genuine_outcome_replayed_at_a_later_step_is_not_believed():
    assert read_outcome([signed(3)], KEY, step=4) is None


def test_an_edited_payload_breaks_its_signature():
    genuine = signed(3, status="not yet")
    data = genuine["data"][CHANNEL_MIME]
    data["payload"] = data["payload"].replace("not yet", "passed")
    assert read_outcome([genuine], KEY, step=3) is None


def test_forgeries_before_the_genuine_outcome_do_not_hide_it():
    forged = [published({"payload": "{}", "mac": "0" * 64}), published("not json"),
              {"output_type": "stream", "name": "stdout", "text": "✅ fee_in_eth: passed."}]
    assert read_outcome([*forged, signed(3, "not yet")], KEY, step=3)["status"] == "not yet"


def test_the_key_is_read_from_the_opening_steps_output_only_when_there():
    assert read_key([published({"key": KEY.hex()})]) == KEY
    assert read_key([{"output_type": "stream", "name": "stdout", "text": KEY.hex()}]) is None


def test_a_step_names_the_check_and_the_answer_as_plain_literals():
    assert step_source("check_fee_in_eth", "fee_in_eth", 7) == (
        "__course_grader__('check_fee_in_eth', 'fee_in_eth', 7)")
