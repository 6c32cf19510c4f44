# The lesson 004 report's chat server: one thread accepts, one thread per client, bare texts with
# no delimiter, {quit} to leave, {end_conn} to everyone on Ctrl-C.
# Usage: python3 chat_server.py [HOST] [PORT]   (default 127.0.0.1 53000; the report's HOST is '',
# every interface: give 0.0.0.0 for that)
# Where the report's code would hang or crash, it is fixed, and the fix says why in a comment.
# A test reads the first line, "listening on HOST:PORT" (PORT 0 picks a free port).
from socket import AF_INET, SOCK_STREAM, SHUT_RDWR, socket
from threading import Thread
import signal
import sys
import time

addresses = {}
names = []
closing = False  # fix: set by close_server(), so {end_conn} stays the last message

HOST = sys.argv[1] if len(sys.argv) > 1 else '127.0.0.1'
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 53000
BUFFSIZE = 1024
ADDR = (HOST, PORT)

SERVER = socket(AF_INET, SOCK_STREAM)
SERVER.bind(ADDR)


def accept_connections():
    while True:
        try:
            client, client_address = SERVER.accept()
        except OSError:
            break
        print("%s:%s has connected to the server." % client_address, flush=True)
        addresses[client] = client_address
        Thread(target=handle_client, args=(client,), daemon=True).start()


def broadcast(msg, prefix=""):
    for client in list(addresses):  # fix: a copy, other threads change the dictionary
        try:
            client.send(bytes(prefix, "utf8") + msg)
        except OSError:  # fix: a client that just left must not end the sender's thread
            pass


def valid_name(name):
    return name not in names


def close_client_connection(client):
    client.close()
    print("%s:%s has left the server." % addresses[client], flush=True)
    del addresses[client]


def handle_client(client):
    try:
        client.send(bytes("Salve! Digita il tuo Nome seguito dal tasto Invio!", "utf8"))
        name = client.recv(BUFFSIZE).decode("utf8")
        while name and name != "{quit}" and not valid_name(name):  # fix: {quit} and a closed socket end the loop
            invalid_name = "Il nome scelto è già assegnato, inserire un nome diverso:"
            client.send(bytes(invalid_name, "utf8"))
            name = client.recv(BUFFSIZE).decode("utf8")
        if not name or name == "{quit}":
            close_client_connection(client)
            return  # fix: the report went on with the closed socket
        names.append(name)
        greetings = 'Benvenuto %s! Se vuoi lasciare la Chat, scrivi {quit} per uscire.' % name
        client.send(bytes(greetings, "utf8"))
        msg = "%s si è unito alla chat!" % name
        broadcast(bytes(msg, "utf8"))
        while True:
            msg = client.recv(BUFFSIZE)
            if msg and msg != bytes("{quit}", "utf8"):  # fix: b'' (closed) is not a message
                broadcast(msg, name + ": ")
            elif closing:  # fix: close_server() hung up; the report's recv() raised OSError here
                break
            else:
                close_client_connection(client)
                broadcast(bytes("%s ha abbandonato la Chat." % name, "utf8"))
                names.remove(name)
                break
    except (OSError, KeyError):  # the server closed this client (close_server)
        pass


def close_server(signum, frame):
    global closing
    closing = True
    print("CTRL+C pressed. Closing the server...", flush=True)
    msg = "{end_conn}"
    broadcast(bytes(msg, "utf8"))
    for client in list(addresses):
        client.shutdown(SHUT_RDWR)  # fix: on Linux close() does not wake a thread blocked in recv()
        client.close()
    SERVER.shutdown(SHUT_RDWR)  # fix: nor one blocked in accept()
    SERVER.close()


def wait_signal(wait_interval):
    while ACCEPT_THREAD.is_alive():
        time.sleep(wait_interval)


signal.signal(signal.SIGINT, close_server)
signal.signal(signal.SIGTERM, close_server)

if __name__ == "__main__":
    SERVER.listen(5)
    print("listening on %s:%d" % (HOST, SERVER.getsockname()[1]), flush=True)
    print("Waiting for connections...", flush=True)
    ACCEPT_THREAD = Thread(target=accept_connections)
    ACCEPT_THREAD.start()
    wait_signal(1)
