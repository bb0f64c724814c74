#!/usr/bin/python3
"""`pseudo-cluster ui` in a real headless browser (Debian's chromium + chromedriver, Selenium).

One 3-member cluster with proxied links per engine; `pseudo-cluster ui` has its supervisor serve
the page and prints the address. The page must show three members and one
leader; clicking the leader and then "kill" must make another member leader on the page, with
the kill in the page's timeline; the time-travel slider taken back to the start must show
the first leader again. Requests without the token are refused, and the server listens on
127.0.0.1 only (read from /proc/net/tcp; the test never talks to another address). Nothing here
asserts on timings.

    ui_test.py --binary build/pseudo-cluster [--screenshot DIR] [unittest args]
"""

import argparse
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import supervisor_test  # noqa: E402
from supervisor_test import ClusterTest  # noqa: E402

SCREENSHOT_DIR = None


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def listen_addresses(port):
    """The local addresses with a socket listening on `port` (state 0A), from /proc/net/tcp*."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                address, hex_port = fields[1].split(":")
                if int(hex_port, 16) == port and fields[3] == "0A":
                    found.append(address)
    return found


def browser(profile):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    # No background networking: the machine's network is closed, and the page is all we load.
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--window-size=1200,1000"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class UiTest(ClusterTest):
    def check_ui(self, engine):
        c = self.cluster(engine=engine)
        c.up("--faults")
        old = first_leader = c.status()["cluster"]["leader"]

        first = c.pc("ui").stdout.splitlines()[0]
        self.assertTrue(first.startswith("ui: http://127.0.0.1:"), first)
        url = first.split()[1]
        base, token = url.split("/?token=")
        port = int(base.rsplit(":", 1)[1])
        # The supervisor serves one page: asking again gives the same address; another port is
        # refused with one line.
        self.assertEqual(c.pc("ui").stdout.splitlines()[0], first)
        other = c.pc("ui", "--port", str(port + 1 if port < 65535 else port - 1), check=False)
        self.assertEqual(other.returncode, 1)
        self.assertIn("already served on 127.0.0.1:%d" % port, other.stderr)

        # The token is required on every route; the socket is bound to 127.0.0.1 only.
        self.assertEqual(status_of(base + "/"), 403)
        self.assertEqual(status_of(base + "/feed"), 403)
        self.assertEqual(status_of(base + "/?token=" + "0" * 32), 403)
        self.assertEqual(status_of(url), 200)
        self.assertEqual(listen_addresses(port), ["0100007F"])  # 127.0.0.1, nothing else

        profile = tempfile.mkdtemp(prefix="pc-ui-chromium-")
        self.addCleanup(shutil.rmtree, profile, True)
        driver = browser(profile)
        self.addCleanup(driver.quit)
        driver.get(url)
        from selenium.webdriver.common.by import By

        def roles():
            # Read in one script: the page redraws its members, so element handles go stale.
            pairs = driver.execute_script(
                "return Array.from(document.querySelectorAll('g.member'))"
                ".map(e => [e.getAttribute('data-id'), e.getAttribute('data-role')]);")
            return {int(i): r for i, r in pairs}

        c.wait_for("three members and one leader on the page",
                   lambda: len(roles()) == 3 and [i for i, r in roles().items() if r == "leader"]
                   == [old])
        self.assertEqual(driver.execute_script(
            "return document.querySelectorAll('line.link.ok').length;"), 3)
        if SCREENSHOT_DIR:
            driver.save_screenshot(os.path.join(SCREENSHOT_DIR, f"ui-{engine}.png"))

        # Partition {1} | {2,3} with the page's own input and button: node1's two links are drawn
        # cut; "heal" draws them healthy again.
        def link_states():
            return driver.execute_script(
                "return Object.fromEntries(Array.from(document.querySelectorAll('line.link'))"
                ".map(e => [e.getAttribute('data-link'), e.getAttribute('data-state')]));")

        driver.find_element(By.ID, "groups").send_keys("1 2,3")
        driver.find_element(By.ID, "partition").click()
        c.wait_for("the partition drawn",
                   lambda: link_states() == {"1-2": "cut", "1-3": "cut", "2-3": "ok"})
        self.assertTrue(driver.find_element(By.ID, "answer").text.startswith("partition: "))
        driver.find_element(By.ID, "heal").click()
        c.wait_for("the heal drawn",
                   lambda: link_states() == {"1-2": "ok", "1-3": "ok", "2-3": "ok"})
        c.pc("wait", "ready", "--timeout", "60")
        old = c.status()["cluster"]["leader"]  # the partition may have moved the lead
        c.wait_for("the leader on the page",
                   lambda: [i for i, r in roles().items() if r == "leader"] == [old])

        # Select the leader (SVG elements take a dispatched click), then press "kill".
        driver.execute_script(
            f"document.querySelector(\"g.member[data-id='{old}']\")"
            ".dispatchEvent(new MouseEvent('click', {bubbles: true}));")
        c.wait_for("the leader selected",
                   lambda: driver.find_element(By.ID, "selected").text == f"node{old}")
        driver.find_element(By.CSS_SELECTOR, "button[data-cmd='kill']").click()

        def new_leader():
            leaders = [i for i, r in roles().items() if r == "leader" and i != old]
            return leaders[0] if leaders else None

        new = c.wait_for("another member leader on the page", new_leader)
        c.wait_for("the kill's answer", lambda: driver.find_element(By.ID, "answer").text
                   .startswith(f"kill {old}: "))
        c.wait_for("the kill in the page's timeline",
                   lambda: "killed by SIGKILL" in driver.find_element(By.ID, "events").text)
        self.assertNotEqual(roles()[old], "leader")
        self.assertEqual(c.status()["cluster"]["leader"], new)
        if SCREENSHOT_DIR:
            driver.save_screenshot(os.path.join(SCREENSHOT_DIR, f"ui-{engine}-after-kill.png"))

        # Time travel: back to the first sample with a leader, the first leader leads again.
        driver.execute_script("""
            const s = document.getElementById('slider');
            const i = items.findIndex(it => it.type === 'status' &&
                                      it.members.some(m => m.role === 'leader'));
            s.value = i; s.dispatchEvent(new Event('input'));""")
        c.wait_for("the first leader back on the slider",
                   lambda: [i for i, r in roles().items() if r == "leader"] == [first_leader])
        self.assertNotEqual(driver.find_element(By.ID, "when").text, "live")
        driver.find_element(By.ID, "live").click()
        c.wait_for("live again", lambda: new_leader() == new)

    def test_zkd(self):
        self.check_ui("zkd")

    def test_apache(self):
        self.check_ui("apache")


def main():
    global SCREENSHOT_DIR
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--screenshot")
    args, rest = parser.parse_known_args()
    supervisor_test.BINARY = os.path.abspath(args.binary)
    SCREENSHOT_DIR = args.screenshot
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
