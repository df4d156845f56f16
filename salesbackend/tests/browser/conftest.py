# The Chromium fixture, shared by every browser test module.
from salesbackend.tests.browser.test_staff_flows import browser  # noqa: F401
