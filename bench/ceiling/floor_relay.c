/*
 * floor_relay: the smallest relay that keeps the Summoner wire format, to measure what no relay can avoid on this
 * machine. One thread on epoll: reads lines ('\n'-terminated, a '\r' before it stripped, at most 65,536 bytes),
 * wraps each in {"remote_addr":"ip:port","content":"<the line, JSON-escaped>"}\n once, appends it to every other
 * client's output, and after each epoll round writes each client's output with one write(). A client with more than
 * 32 MiB waiting is closed. No rate limit, no UTF-8 check, no notices: a floor, not a server.
 *
 *   cc -O2 -o floor_relay floor_relay.c && ./floor_relay 127.0.0.1 8890
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LINE 65536
#define MAX_QUEUED (32u << 20)
#define READ_CHUNK 65536
#define MAX_EVENTS 256

typedef struct {
    char *data;
    size_t len, cap, sent;
} buf_t;

typedef struct client {
    int fd;
    char prefix[96]; /* {"remote_addr":"ip:port","content":" */
    size_t prefix_len;
    char *line;      /* the line being assembled */
    size_t line_len;
    int overlong;
    buf_t out;
    int dirty, watching_out;
    struct client *next_dirty;
} client_t;

static client_t **clients;
static size_t nclients, cap_clients;
static client_t *dirty_head;
static int epfd;
static int any_closed;
static char *envelope;
static size_t envelope_cap;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void reserve(buf_t *b, size_t more) {
    if (b->len + more <= b->cap) return;
    if (b->sent > 0) { /* compact first */
        memmove(b->data, b->data + b->sent, b->len - b->sent);
        b->len -= b->sent;
        b->sent = 0;
        if (b->len + more <= b->cap) return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more) cap *= 2;
    b->data = realloc(b->data, cap);
    if (!b->data) die("realloc");
    b->cap = cap;
}

static void drop(client_t *c) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1; /* freed after the round: it may still be on the dirty list */
    any_closed = 1;
}

static void mark_dirty(client_t *c) {
    if (!c->dirty) {
        c->dirty = 1;
        c->next_dirty = dirty_head;
        dirty_head = c;
    }
}

static size_t escape(const char *s, size_t n, char *out) {
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char) s[i];
        switch (ch) {
            case '"': out[o++] = '\\'; out[o++] = '"'; break;
            case '\\': out[o++] = '\\'; out[o++] = '\\'; break;
            case '\n': out[o++] = '\\'; out[o++] = 'n'; break;
            case '\r': out[o++] = '\\'; out[o++] = 'r'; break;
            case '\t': out[o++] = '\\'; out[o++] = 't'; break;
            case '\b': out[o++] = '\\'; out[o++] = 'b'; break;
            case '\f': out[o++] = '\\'; out[o++] = 'f'; break;
            default:
                if (ch < 0x20) {
                    out[o++] = '\\'; out[o++] = 'u'; out[o++] = '0'; out[o++] = '0';
                    out[o++] = hex[ch >> 4]; out[o++] = hex[ch & 15];
                } else {
                    out[o++] = (char) ch;
                }
        }
    }
    return o;
}

static void relay(client_t *from, const char *line, size_t n) {
    size_t need = from->prefix_len + n * 6 + 3;
    if (need > envelope_cap) {
        envelope_cap = need * 2;
        envelope = realloc(envelope, envelope_cap);
        if (!envelope) die("realloc");
    }
    memcpy(envelope, from->prefix, from->prefix_len);
    size_t len = from->prefix_len + escape(line, n, envelope + from->prefix_len);
    envelope[len++] = '"';
    envelope[len++] = '}';
    envelope[len++] = '\n';
    for (size_t i = 0; i < nclients; i++) {
        client_t *to = clients[i];
        if (to == from || to->fd < 0) continue;
        if (to->out.len - to->out.sent + len > MAX_QUEUED) {
            drop(to);
            continue;
        }
        reserve(&to->out, len);
        memcpy(to->out.data + to->out.len, envelope, len);
        to->out.len += len;
        mark_dirty(to);
    }
}

static void on_readable(client_t *c) {
    static char chunk[READ_CHUNK];
    for (int reads = 0; reads < 4; reads++) {
        ssize_t got = read(c->fd, chunk, sizeof chunk);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
            if (got == 0 && c->line_len > 0 && !c->overlong) relay(c, c->line, c->line_len); /* the last line */
            drop(c);
            return;
        }
        if (got < 0) return;
        size_t start = 0;
        for (size_t i = 0; i < (size_t) got; i++) {
            if (chunk[i] != '\n') continue;
            const char *line = chunk + start;
            size_t n = i - start;
            if (c->line_len > 0 || c->overlong) { /* the line began in an earlier read */
                if (!c->overlong && c->line_len + n <= MAX_LINE) {
                    memcpy(c->line + c->line_len, line, n);
                    c->line_len += n;
                    line = c->line;
                    n = c->line_len;
                } else {
                    c->overlong = 1;
                }
            }
            if (!c->overlong && n <= MAX_LINE) {
                if (n > 0 && line[n - 1] == '\r') n--;
                relay(c, line, n);
            }
            c->line_len = 0;
            c->overlong = 0;
            start = i + 1;
        }
        size_t rest = (size_t) got - start;
        if (rest > 0 && !c->overlong) {
            if (c->line_len + rest <= MAX_LINE) {
                memcpy(c->line + c->line_len, chunk + start, rest);
                c->line_len += rest;
            } else {
                c->overlong = 1;
            }
        }
        if ((size_t) got < sizeof chunk) return;
    }
}

static void flush(client_t *c) {
    while (c->out.sent < c->out.len) {
        ssize_t w = write(c->fd, c->out.data + c->out.sent, c->out.len - c->out.sent);
        if (w < 0) {
            if (errno == EAGAIN) break;
            if (errno == EINTR) continue;
            drop(c);
            return;
        }
        c->out.sent += (size_t) w;
    }
    if (c->out.sent == c->out.len) c->out.sent = c->out.len = 0;
    int want_out = c->out.len > 0;
    if (want_out != c->watching_out) {
        struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
        c->watching_out = want_out;
    }
}

static void accept_all(int listener) {
    for (;;) {
        struct sockaddr_in6 addr;
        socklen_t alen = sizeof addr;
        int fd = accept4(listener, (struct sockaddr *) &addr, &alen, SOCK_NONBLOCK);
        if (fd < 0) return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        client_t *c = calloc(1, sizeof *c);
        c->fd = fd;
        c->line = malloc(MAX_LINE);
        char ip[INET6_ADDRSTRLEN];
        int port;
        if (addr.sin6_family == AF_INET) {
            struct sockaddr_in *v4 = (struct sockaddr_in *) &addr;
            inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof ip);
            port = ntohs(v4->sin_port);
            c->prefix_len = (size_t) snprintf(c->prefix, sizeof c->prefix, "{\"remote_addr\":\"%s:%d\",\"content\":\"", ip, port);
        } else {
            inet_ntop(AF_INET6, &addr.sin6_addr, ip, sizeof ip);
            port = ntohs(addr.sin6_port);
            c->prefix_len = (size_t) snprintf(c->prefix, sizeof c->prefix, "{\"remote_addr\":\"[%s]:%d\",\"content\":\"", ip, port);
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
        if (nclients == cap_clients) {
            cap_clients = cap_clients ? cap_clients * 2 : 64;
            clients = realloc(clients, cap_clients * sizeof *clients);
        }
        clients[nclients++] = c;
    }
}

static void sweep_closed(void) {
    size_t kept = 0;
    for (size_t i = 0; i < nclients; i++) {
        client_t *c = clients[i];
        if (c->fd >= 0) {
            clients[kept++] = c;
        } else {
            free(c->line);
            free(c->out.data);
            free(c);
        }
    }
    nclients = kept;
}

int main(int argc, char **argv) {
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    int port = argc > 2 ? atoi(argv[2]) : 8890;
    signal(SIGPIPE, SIG_IGN);
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "not an IPv4 address: %s\n", host);
        return 2;
    }
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) < 0) die("bind");
    if (listen(listener, 1024) < 0) die("listen");
    epfd = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &lev);
    printf("floor_relay listening on %s:%d\n", host, port);
    fflush(stdout);
    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            client_t *c = events[i].data.ptr;
            if (c == NULL) {
                accept_all(listener);
                continue;
            }
            if (c->fd < 0) continue;
            if (events[i].events & EPOLLOUT) mark_dirty(c);
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
        }
        for (client_t *c = dirty_head; c != NULL;) {
            client_t *next = c->next_dirty;
            c->dirty = 0;
            if (c->fd >= 0) flush(c);
            c = next;
        }
        dirty_head = NULL;
        if (any_closed) {
            sweep_closed();
            any_closed = 0;
        }
    }
}
