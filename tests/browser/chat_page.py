#!/usr/bin/env python3
"""The chat page in a real browser (issue 18): headless Chromium driven by WebDriver.

Usage: chat_page.py NETKIT [--screenshot PATH]

Starts `NETKIT serve chat` on free loopback ports, opens the page in two windows of one headless
Chromium, joins anna and bruno there and carla over a plain socket (line protocol), and checks in
the DOM that all three see each other's messages in the same order, that an HTML string arrives
as text, that a taken name is refused and a second try works, that the page fits a phone-width
window and follows new lines, that SIGTERM makes the page say the server has gone, that it joins
again with the same name when a server is back on the same port, and that a big room's batched
joins reach the member list. Every wait is on a DOM or socket condition.
"""

import argparse
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading

TIMEOUT = 10  # seconds for any one expected event


def fail(message):
    print("browser_chat: FAIL: " + message, file=sys.stderr)
    sys.exit(1)


try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    fail("python3-selenium is missing: `scripts/setup --test` installs it "
         "(Debian's package serves Debian's /usr/bin/python3)")

LISTENING = re.compile(r"listening on \S+:(\d+) \((\w+)\)")
XSS = "<img src=x onerror=alert(1)>"


class Server:
    """`netkit serve chat` on loopback; its output is drained so that it never blocks on a pipe."""

    def __init__(self, netkit, http_port=0, extra=()):
        command = [netkit, "serve", "chat", "--bind", "127.0.0.1", "--http-port", str(http_port),
                   "--line-port", "0", "--header-port", "0", *extra]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        self.output = []
        self.ports = {}
        ready = threading.Event()

        def drain():
            for line in self.process.stdout:
                self.output.append(line)
                found = LISTENING.search(line)
                if found:
                    self.ports[found[2]] = int(found[1])
                if {"http", "line"} <= self.ports.keys():
                    ready.set()
            ready.set()  # exited: the check below says what is missing

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(TIMEOUT) or not {"http", "line"} <= self.ports.keys():
            self.kill()
            fail("the server did not print its http and line ports:\n" + "".join(self.output))

    def terminate(self):
        """SIGTERM, then its exit status."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            fail("the server did not exit within %d s of SIGTERM" % TIMEOUT)

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class LineClient:
    """A line-protocol user on a plain socket, as `nc` would be."""

    def __init__(self, port, name):
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.lines = self.socket.makefile("r", encoding="utf-8", newline="\n")
        self.read_until("Type your name and press Enter.")
        self.send(name)
        welcome = self.read_until(lambda line: line.startswith("Welcome "))[-1]
        if not welcome.startswith("Welcome %s!" % name):
            fail("line client: unexpected welcome " + welcome)

    def send(self, text):
        self.socket.sendall((text + "\n").encode())

    def read_until(self, wanted):
        """Lines up to and including the first one that is `wanted` (a string or a predicate)."""
        matches = wanted if callable(wanted) else (lambda line: line == wanted)
        seen = []
        try:
            for line in self.lines:
                seen.append(line.rstrip("\n"))
                if matches(seen[-1]):
                    return seen
        except OSError as error:
            fail("line client: %s while waiting; got %r" % (error, seen))
        fail("line client: connection closed while waiting; got %r" % seen)


class Page:
    """One browser window showing the chat page."""

    def __init__(self, driver, name):
        self.driver = driver
        self.handle = driver.current_window_handle
        self.name = name  # the user in this window, for failure messages

    def use(self):
        self.driver.switch_to.window(self.handle)
        return self

    def wait(self, condition, what):
        self.use()
        try:
            return WebDriverWait(self.driver, TIMEOUT).until(lambda d: condition())
        except TimeoutException:
            fail("%s's window: timed out waiting for %s; status %r, members %r (count %s), "
                 "log %r" % (self.name, what, self.status(), self.members(), self.member_count(),
                             self.log_texts()))

    def js(self, script):
        return self.use().driver.execute_script(script)

    def visible(self, element_id):
        return self.js("const e = document.getElementById('%s');"
                       "return !!e && e.checkVisibility();" % element_id)

    def status(self):
        return self.js("return document.getElementById('status').textContent")

    def join_error(self):
        return self.js("return document.getElementById('join-error').textContent")

    def focused(self):
        return self.js("return document.activeElement.id")

    def member_count(self):
        return self.js("return document.getElementById('count').textContent")

    def members(self):
        return self.js("return [...document.querySelectorAll('#members li')]"
                       ".map(e => e.textContent)")

    def messages(self):
        """[from, text, own?, time] for each message, in the order shown."""
        return self.js("return [...document.querySelectorAll('#log .message')].map(e => ["
                       "e.querySelector('.from').textContent, e.querySelector('.text').textContent,"
                       "e.classList.contains('own'), e.querySelector('time').textContent])")

    def notices(self):
        return self.js("return [...document.querySelectorAll('#log .notice .text')]"
                       ".map(e => e.textContent)")

    def log_texts(self):
        return self.js("return [...document.querySelectorAll('#log li')].map(e => e.textContent)")

    def type_into(self, element_id, text):
        field = self.use().driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text + Keys.ENTER)  # Enter alone submits: no click anywhere

    def join(self, name):
        self.wait(lambda: self.visible("name"), "the name field")
        self.type_into("name", name)

    def say(self, text):
        self.type_into("text", text)
        self.wait(lambda: [text, True] in [m[1:3] for m in self.messages()],
                  "own message %r back from the server" % text)


def start_browser():
    chromium = shutil.which("chromium")
    chromedriver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not chromium or not shutil.which(chromedriver):
        fail("chromium and chromium-driver are needed (`scripts/setup --test` installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=900,700"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(chromedriver), options=options)


def check(condition, message):
    if not condition:
        fail(message)


def run(netkit, screenshot):
    server = Server(netkit)
    url = "http://127.0.0.1:%d/" % server.ports["http"]
    driver = None
    try:
        driver = start_browser()
        anna = Page(driver, "anna")
        driver.switch_to.new_window("window")
        bruno = Page(driver, "bruno")
        carla = LineClient(server.ports["line"], "carla")

        # anna joins; the focus moves to the message field, ready to type.
        anna.use().driver.get(url)
        anna.join("anna")
        anna.wait(lambda: anna.visible("chat") and sorted(anna.members()) == ["anna", "carla"],
                  "anna's welcome with carla in the member list")
        check(anna.focused() == "text", "focus after joining is on %r, not the message field"
              % anna.focused())

        # A taken name (compared as the server compares them) shows the reason and asks again.
        bruno.use().driver.get(url)
        bruno.join("ANNA")
        bruno.wait(lambda: bruno.join_error() != "", "the refusal of a taken name")
        check(not bruno.visible("chat") and bruno.visible("name"),
              "after a refusal the page must still ask for a name")
        check(bruno.focused() == "name", "focus after a refusal is on %r" % bruno.focused())
        bruno.join("bruno")
        bruno.wait(lambda: bruno.visible("chat") and bruno.join_error() == "", "bruno's welcome")
        check(sorted(bruno.members()) == ["anna", "bruno", "carla"],
              "bruno's member list: %r" % bruno.members())
        anna.wait(lambda: "bruno" in anna.members() and "bruno joined." in anna.notices(),
                  "bruno's join in anna's list and conversation")
        carla.read_until("anna joined the chat")
        carla.read_until("bruno joined the chat")

        # Three messages, each sent once the previous one is back at its sender: every
        # receiver must show them in this order. The HTML string goes in from the socket.
        anna.say("ciao a tutti!")
        bruno.say("ciao anna, come va?")
        carla.send(XSS)
        carla_saw = carla.read_until("carla: " + XSS)
        expected = [["anna", "ciao a tutti!"], ["bruno", "ciao anna, come va?"], ["carla", XSS]]
        check([line for line in carla_saw if re.match(r"(anna|bruno|carla): ", line)] ==
              ["%s: %s" % (sender, text) for sender, text in expected],
              "carla's messages: %r" % carla_saw)
        for page, me in ((anna, "anna"), (bruno, "bruno")):
            page.wait(lambda: len(page.messages()) == 3, "three messages at " + me)
            shown = page.messages()
            check([m[:2] for m in shown] == expected, "%s shows %r" % (me, shown))
            check([m[2] for m in shown] == [sender == me for sender, _ in expected],
                  "%s: only its own message stands out: %r" % (me, shown))
            check(all(re.fullmatch(r"\d\d:\d\d", m[3]) for m in shown), "times: %r" % shown)
            # innerHTML would have made an <img>; CSP alone would only have stopped its onerror.
            check(page.js("return document.querySelectorAll('img').length") == 0,
                  "%s: the HTML string created an element" % me)
            try:
                page.use().driver.switch_to.alert
                fail("%s: an alert is open" % me)
            except NoAlertPresentException:
                pass

        # The style sheet is applied (served as text/css, allowed by the CSP): notices look
        # apart from messages, and one's own messages apart from the others'.
        check(anna.js("const look = (q) => { const s = getComputedStyle(document.querySelector(q));"
                      "  return [s.fontStyle, s.backgroundColor].join(); };"
                      "return new Set([look('.notice'), look('.message.own'),"
                      "                look('.message:not(.own)')]).size") == 3,
              "notices, own messages and others' messages are not styled apart")

        if screenshot:
            anna.use().driver.save_screenshot(screenshot)

        # Phone width: the member list moves above the conversation and nothing scrolls sideways.
        bruno.use().driver.set_window_size(360, 640)
        bruno.wait(lambda: bruno.js(
            "const m = document.querySelector('.members').getBoundingClientRect();"
            "const l = document.getElementById('log').getBoundingClientRect();"
            "return m.bottom <= l.top && document.documentElement.scrollWidth <= innerWidth"),
            "the phone-width layout")

        # The view follows new messages: in the short window the last one is in sight.
        for n in range(1, 13):
            carla.send("riga %d" % n)
        bruno.wait(lambda: len(bruno.messages()) == 15, "carla's twelve more lines at bruno")
        bruno.wait(lambda: bruno.js(
            "const log = document.getElementById('log');"
            "const last = log.lastElementChild.getBoundingClientRect();"
            "return log.scrollTop > 0 && last.bottom <= log.getBoundingClientRect().bottom + 1"),
            "the conversation scrolled to its last line")

        # The page's own script and style only: the CSP reported no violation.
        for page in (anna, bruno):
            violations = [entry["message"] for entry in page.use().driver.get_log("browser")
                          if "Content Security Policy" in entry["message"]]
            check(not violations, "CSP violations: %r" % violations)

        # SIGTERM: the line client gets {end_conn}, both pages say the server has gone.
        status = server.terminate()
        check(status == 0, "the server exited with %s after SIGTERM" % status)
        carla.read_until("{end_conn}")
        for page in (anna, bruno):
            page.wait(lambda: "server has gone" in page.status(), "'server has gone'")

        # A server back on the same port: both pages reconnect (backoff 1 s, 2 s, ...) and join
        # again with the names they had. This one announces joins and leaves above two members
        # in batches (a big room's way), once a second.
        server = Server(netkit, http_port=server.ports["http"],
                        extra=("--announce-limit", "2", "--announce-interval", "1"))
        for page, me in ((anna, "anna"), (bruno, "bruno")):
            page.wait(lambda: page.status() == "Connected as %s." % me
                      and sorted(page.members()) in (["anna", "bruno"], [me]),
                      "%s's automatic re-join" % me)
        anna.wait(lambda: sorted(anna.members()) == ["anna", "bruno"], "both back in the room")
        dario = LineClient(server.ports["line"], "dario")
        for page in (anna, bruno):
            page.wait(lambda: "dario" in page.members() and page.member_count() == "3"
                      and "1 joined." in page.notices(),
                      "dario's join in a batch")
        dario.send("{quit}")
        # Back to the limit: what was gathered goes at once, then the leave on its own.
        for page in (anna, bruno):
            page.wait(lambda: "dario" not in page.members() and page.member_count() == "2"
                      and "dario left." in page.notices(), "dario's leave")
        status = server.terminate()
        check(status == 0, "the second server exited with %s" % status)
    finally:
        if driver:
            driver.quit()
        server.kill()
    print("browser_chat: OK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("netkit", help="path of the netkit program")
    parser.add_argument("--screenshot", metavar="PATH",
                        help="save anna's window, three users talking, as a PNG")
    arguments = parser.parse_args()
    run(arguments.netkit, arguments.screenshot)


if __name__ == "__main__":
    main()
