from models.p114.recognise import p114_flow


def test_flows_recognised_by_their_header():
    assert p114_flow(b"AAA|S0142013|D|20260922224432|SA|UKDC|PB|PORTAL|41697|OPER|\n") == "S0142"
    assert p114_flow(b"\xef\xbb\xbfAAA|C0421002|D|") == "C0421"
    assert p114_flow(b"AAA|S0141014|D|") is None  # a party's own report: not read here
    assert p114_flow(b"HDR,BOD,20220319") is None
    assert p114_flow(b'{"data": []}') is None
