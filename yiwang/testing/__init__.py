"""Test support shared by every app's tests (not an app; imported only by tests and benches).

``county`` builds the small 大埔县 that the tests of every app stand on, through the apps'
own actions. It depends on the kernel apps only (regions, orgs, accounts, audit), so any
app's tests may use it.
"""
