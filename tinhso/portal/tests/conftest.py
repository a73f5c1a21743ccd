from tinhso.services.tests.conftest import (  # noqa: F401 (fixtures)
    _empty_cache,
    birth,
    services_demo,
    submit_birth,
    ward_dian,
)
