# The lesson 004 report's chat client with its tkinter window replaced by the terminal: every
# message received is printed on its own line (the window's message list), every line typed is
# sent (the entry field and its Enter key), and the end of input (Ctrl-D) does what closing the
# window does (on_closing() sends {quit}). The socket calls and bytes are the report's: the name is
# the first send, every send is bare text with no newline, one recv(1024) is one message.
# Usage: python3 chat_client.py [HOST] [PORT]   (asks for them, as the report does, when absent)
from socket import AF_INET, SOCK_STREAM, socket
from threading import Thread
import os
import sys

SERVER_DISCONNECTED = "The server has closed the chat."
SERVER_ERROR = "Cannot reach the server."
RESTART_APPLICATION = "Restart the application."

HOST = sys.argv[1] if len(sys.argv) > 1 else input('Inserire il Server host: ')
PORT = sys.argv[2] if len(sys.argv) > 2 else input('Inserire la porta del server host: ')
if not PORT:
    PORT = 53000
else:
    PORT = int(PORT)

BUFSIZ = 1024
ADDR = (HOST, PORT)

client_socket = socket(AF_INET, SOCK_STREAM)
client_socket.connect(ADDR)


def show(msg):  # msg_list.insert(tkt.END, msg)
    print(msg, flush=True)


def close_app():  # client_socket.close(); window.destroy()
    client_socket.close()
    os._exit(0)  # the input thread may be blocked reading the keyboard


def receive():
    while True:
        try:
            msg = client_socket.recv(BUFSIZ).decode("utf8")
            if msg == "{end_conn}":
                show(SERVER_DISCONNECTED)  # the window's 5-second countdown has no use here
                close_app()
            if not msg:  # the server closed the connection (the report's window shows nothing)
                close_app()
            show(msg)
        except OSError:
            break


def send(msg):
    try:
        client_socket.send(bytes(msg, "utf8"))
    except OSError:
        show(SERVER_ERROR)
        show(RESTART_APPLICATION)
    if msg == "{quit}":
        close_app()


receive_thread = Thread(target=receive)
receive_thread.start()
for line in sys.stdin:  # the entry field: each Enter sends what was typed
    send(line.rstrip("\n"))
send("{quit}")  # on_closing()
