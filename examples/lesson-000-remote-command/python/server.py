# Lesson 000's server.py as the lesson writes it: it runs EVERY command through a shell, so it is
# a remote shell for anyone who can connect. Run it on 127.0.0.1 only (the default here; the
# lesson listens on every address). Changes: HOST and PORT from the arguments, a "listening on"
# line for tests, and the loop ends when the client leaves (the lesson's spins on recv() == b"").
# Usage: python3 server.py [HOST [PORT]]   (default 127.0.0.1 20000)
import socket
import subprocess
import sys


def ricevi_comandi(conn):
    while True:
        richiesta = conn.recv(4096)
        if not richiesta:
            break
        risposta = subprocess.run(richiesta.decode(), shell=True, stdout = subprocess.PIPE, stderr = subprocess.PIPE)
        data = risposta.stdout + risposta.stderr
        conn.sendall(data)


def sub_server(indirizzo, backlog=1):
    try:
        s = socket.socket()
        s.bind(indirizzo)
        s.listen(backlog)
        print("Server Inizializzato. In ascolto...")
        print("listening on {}:{}".format(*s.getsockname()), flush=True)
    except socket.error as errore:
        print(f"Qualcosa è andato storto... \n{errore}")
        sys.exit(1)
    conn, indirizzo_client = s.accept() #conn = socket_client
    print(f"Connessione Server - Client Stabilita: {indirizzo_client}", flush=True)
    ricevi_comandi(conn)


if __name__ == '__main__':
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    sub_server((host, port))
