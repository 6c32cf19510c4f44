// The netkit chat page: one WebSocket to the server, one JSON object per frame
// (docs/chat-protocols.md). Everything the server sends reaches the page through
// textContent, never innerHTML, so a name or message is always shown as text.
"use strict";

const $ = (id) => document.getElementById(id);
const joinForm = $("join"), nameInput = $("name"), joinError = $("join-error");
const chat = $("chat"), log = $("log"), sayForm = $("say"), textInput = $("text");
const memberList = $("members"), memberCount = $("count"), status = $("status");

const firstDelay = 1000, maxDelay = 30000;
let socket = null;
let myName = null;       // set by the first welcome; reconnecting joins again with it
let joined = false;      // true between welcome and the end of this connection
let delay = firstDelay;  // the wait before the next reconnection, doubled each time
let members = new Set();
let unlisted = 0;        // a big room's welcome lists only some names: the others, counted

// The WebSocket lives on the same host as the page (wss:// when the page came over https).
function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  return scheme + location.host + "/ws";
}

function send(object) {
  socket.send(JSON.stringify(object));
}

// Each handler first checks that its socket is still the current one: a late close from a
// socket already given up must not tear down the one that replaced it.
function connect() {
  const ws = new WebSocket(socketUrl());
  socket = ws;
  ws.addEventListener("open", () => {
    if (ws !== socket) return;
    delay = firstDelay;
    if (myName) {
      status.textContent = "Connected. Joining as " + myName + "…";
      send({ type: "join", name: myName });
    } else {
      status.textContent = "Connected.";
      askName("");
    }
  });
  ws.addEventListener("message", (event) => {
    if (ws === socket) handle(JSON.parse(event.data));
  });
  // A refused connection fires error then close; close alone is enough to handle both.
  ws.addEventListener("close", () => {
    if (ws === socket) serverGone();
  });
}

// Called once per lost connection, also for each failed retry: the notice goes into the
// conversation only once, the status line says when the next try comes.
function serverGone() {
  socket = null;
  if (joined) notice("The server has gone.", "gone");
  joined = false;
  unlisted = 0;
  setMembers([]);
  status.textContent = "The server has gone. Reconnecting in " + delay / 1000 + " s…";
  setTimeout(connect, delay);
  delay = Math.min(delay * 2, maxDelay);
}

// One server event (docs/chat-protocols.md); types this page does not know are ignored.
function handle(event) {
  switch (event.type) {
    case "welcome":
      myName = event.name;
      joined = true;
      unlisted = Math.max(0, (event.count ?? 0) - event.members.length);
      setMembers(event.members);
      showChat();
      status.textContent = "Connected as " + myName + ".";
      notice("You joined as " + myName + ".");
      break;
    case "joined":
      members.add(event.name);
      setMembers(members);
      if (event.name !== myName) notice(event.name + " joined.");  // ours came with the welcome
      break;
    case "left":
      leave(event.name);
      setMembers(members);
      notice(event.name + " left.");
      break;
    case "batch":
      batch(event.joined || [], event.left || []);
      break;
    case "message":
      message(event.from, event.text);
      break;
    case "notice":
      notice(event.text);
      break;
    case "error":
      // Before the welcome an error refuses the name: the same socket takes another try.
      if (joined) notice(event.reason, "error");
      else askName(event.reason);
      break;
    case "end":
      // The server is shutting down; say so now rather than when its close frame arrives.
      serverGone();
      break;
  }
}

// A big room announces joins and leaves in batches: one notice, the list updated at once.
function batch(came, went) {
  for (const name of came) members.add(name);
  for (const name of went) leave(name);
  setMembers(members);
  const parts = [];
  if (came.length) parts.push(came.length + " joined");
  if (went.length) parts.push(went.length + " left");
  if (parts.length) notice(parts.join(", ") + ".");
}

function leave(name) {
  if (!members.delete(name) && unlisted > 0) unlisted--;
}

function askName(reason) {
  chat.hidden = true;
  joinForm.hidden = false;
  joinError.textContent = reason;
  if (myName) nameInput.value = myName;
  myName = null;  // a refused name is not ours: the next try decides
  nameInput.focus();
  nameInput.select();
}

function showChat() {
  joinForm.hidden = true;
  chat.hidden = false;
  joinError.textContent = "";
  textInput.focus();
}

function setMembers(names) {
  members = new Set(names);
  const items = [...members].sort((a, b) => a.localeCompare(b)).map((name) => {
    const item = document.createElement("li");
    item.textContent = name;
    if (name === myName) item.className = "me";
    return item;
  });
  memberList.replaceChildren(...items);
  memberCount.textContent = String(members.size + unlisted);
}

// The protocol carries no time: the page stamps what it receives.
function timeNow() {
  const now = new Date();
  const two = (n) => String(n).padStart(2, "0");
  const element = document.createElement("time");
  element.dateTime = now.toISOString();
  element.textContent = two(now.getHours()) + ":" + two(now.getMinutes());
  return element;
}

function span(className, text) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

function message(from, text) {
  const item = document.createElement("li");
  item.className = from === myName ? "message own" : "message";
  item.append(timeNow(), span("from", from), span("text", text));
  append(item);
}

function notice(text, kind) {
  const item = document.createElement("li");
  item.className = kind ? "notice " + kind : "notice";
  item.append(timeNow(), span("text", text));
  append(item);
}

// The view follows new lines unless the reader has scrolled up to read older ones.
function append(item) {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.append(item);
  if (atBottom) log.scrollTop = log.scrollHeight;
}

joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const name = nameInput.value.trim();
  if (!name || !socket || socket.readyState !== WebSocket.OPEN) return;
  myName = name;
  joinError.textContent = "";
  send({ type: "join", name });
});

// Enter in the message field submits the form. While the server is away the text stays put.
sayForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = textInput.value;
  if (!text.trim() || !joined) return;
  send({ type: "say", text });
  textInput.value = "";
  log.scrollTop = log.scrollHeight;
});

connect();
