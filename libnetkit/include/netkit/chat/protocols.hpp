// The chat protocols netkit speaks, one line each; each is described in its own file,
// src/chat/protocols/NAME.cpp (see protocol.hpp for adding one).
#pragma once

#include <netkit/chat/protocol.hpp>

namespace netkit::chat {

const protocol& header_protocol();  // lesson 003: length-header frames, no echo to the sender
const protocol& line_protocol();    // lesson 004: UTF-8 lines, usable with nc
const protocol& report_protocol();  // the lesson 004 report's bytes: one recv() is one message
const protocol& websocket_protocol();  // the browser page: JSON objects in WebSocket text frames

}  // namespace netkit::chat
