from pylti1p3.session import SessionService

from lti._pylti import ParamsRequest, RecordingCookies, RecordingSession, UrlRedirect
from lti.stores import InMemoryRegistrationStore
from lti.tool_config import StoreToolConf, to_pylti_registration

from .conftest import CLIENT_ID, DEPLOYMENT_ID, ISSUER, JWKS_URL, registration


def _conf():
    return StoreToolConf(InMemoryRegistrationStore([registration()]))


def test_tool_config_many_clients_per_issuer_mode():
    conf = _conf()
    assert conf.check_iss_has_many_clients(ISSUER)
    assert not conf.check_iss_has_one_client(ISSUER)


def test_tool_config_finds_registration_by_issuer_and_params():
    conf = _conf()
    by_issuer = conf.find_registration_by_issuer(ISSUER)
    by_params = conf.find_registration_by_params(ISSUER, CLIENT_ID)
    for found in (by_issuer, by_params):
        assert found.get_client_id() == CLIENT_ID
        assert found.get_key_set_url() == JWKS_URL
    assert conf.find_registration_by_params(ISSUER, "nope") is None


def test_tool_config_finds_only_registered_deployments():
    conf = _conf()
    assert conf.find_deployment(ISSUER, DEPLOYMENT_ID).get_deployment_id() == (
        DEPLOYMENT_ID
    )
    assert conf.find_deployment_by_params(ISSUER, "other", CLIENT_ID) is None
    assert conf.find_deployment_by_params("https://x", DEPLOYMENT_ID, CLIENT_ID) is None


def test_to_pylti_registration_sets_audience_only_when_given():
    assert to_pylti_registration(registration()).get_auth_audience() is None
    converted = to_pylti_registration(registration(auth_audience="https://aud"))
    assert converted.get_auth_audience() == "https://aud"


def test_pylti_adapters_honour_their_interfaces():
    request = ParamsRequest({"a": "1", "empty": ""})
    assert request.get_param("a") == "1"
    assert request.get_param("empty") == request.get_param("missing") == ""
    assert request.is_secure()
    assert request.session == {}
    cookies = RecordingCookies()
    assert cookies.get_cookie("anything") is None
    cookies.set_cookie("state-1", "state-1", 300)
    assert cookies.state == "state-1"
    session = RecordingSession(request)
    assert isinstance(session, SessionService)
    session.save_nonce("n")
    assert session.nonce == "n"
    redirect = UrlRedirect("https://a")
    assert redirect.do_redirect() == redirect.do_js_redirect() == "https://a"
    redirect.set_redirect_url("https://b")
    assert redirect.get_redirect_url() == "https://b"
