/* spincheck-cc launcher: hands the compile to the warm server (started on demand) and runs what it asks; else Node. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SPINCHECK_BUILD_ID
#define SPINCHECK_BUILD_ID "dev"
#endif
#ifndef SPINCHECK_NODE
#define SPINCHECK_NODE "node"
#endif
#define PROTOCOL_VERSION "1"
/* A marker older than this belongs to a server start that failed: try again. */
#define START_MARKER_SECONDS 20
/* A server silent this long (stopped, hung) is given up: the Node wrapper does the compile. */
#define SERVER_SILENCE_MS 120000
/* After an interrupt, how long the server may take to remove the compile's temp files. */
#define CLEANUP_WAIT_MS 3000

extern char **environ;

static volatile sig_atomic_t interrupted;
static volatile pid_t running_child;
/* SIGINT, SIGTERM, SIGHUP: forwarded to the compiler unless ignored on entry (nohup), which stays as it was. */
static const int forwarded[3] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction on_entry[3];

struct buf {
    char *data;
    size_t len, cap;
};

struct field {
    char *text; /* NUL-terminated copy */
    uint32_t len;
};

static void on_signal(int sig)
{
    interrupted = sig;
    if (running_child > 0) kill(running_child, sig);
}

static void catch_signals(void)
{
    struct sigaction sa;
    int i;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    for (i = 0; i < 3; i++) {
        sigaction(forwarded[i], NULL, &on_entry[i]);
        if (on_entry[i].sa_handler != SIG_IGN) sigaction(forwarded[i], &sa, NULL);
    }
}

static void restore_signals(void)
{
    int i;
    for (i = 0; i < 3; i++) sigaction(forwarded[i], &on_entry[i], NULL);
}

static void die_by(int sig)
{
    struct sigaction sa;
    sigset_t set;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(sig, &sa, NULL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    exit(128 + sig);
}

static void buf_add(struct buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        b->data = realloc(b->data, cap);
        if (!b->data) {
            fputs("spincheck-cc: out of memory\n", stderr);
            exit(127);
        }
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void frame_begin(struct buf *b, char type)
{
    unsigned char head[5] = {0, 0, 0, 0, (unsigned char)type};
    b->len = 0;
    buf_add(b, head, sizeof head);
}

static void frame_field(struct buf *b, const void *p, size_t n)
{
    unsigned char len[4];
    put_u32(len, (uint32_t)n);
    buf_add(b, len, sizeof len);
    buf_add(b, p, n);
}

static void frame_str(struct buf *b, const char *s)
{
    frame_field(b, s, strlen(s));
}

static void frame_num(struct buf *b, long v)
{
    char text[32];
    snprintf(text, sizeof text, "%ld", v);
    frame_str(b, text);
}

/* Writes all of it; -1 when the peer is gone. To the socket without SIGPIPE: that signal is left as inherited,
   for the compilers this process starts. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
#ifdef MSG_NOSIGNAL
        ssize_t w = fd > 2 ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
#else
        ssize_t w = write(fd, p, n);
#endif
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int frame_send(int fd, struct buf *b)
{
    put_u32((unsigned char *)b->data, (uint32_t)(b->len - 4));
    return write_all(fd, b->data, b->len);
}

/* Reads exactly n bytes; -1 on end of stream, error or a signal that interrupts. */
static int read_all(int fd, void *p, size_t n)
{
    char *at = p;
    while (n > 0) {
        ssize_t r = read(fd, at, n);
        if (r < 0 && errno == EINTR && !interrupted) continue;
        if (r <= 0) return -1;
        at += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Reads one frame into its type and fields; -1 if the stream ends or is malformed. */
static int frame_read(int fd, char *type, struct field **fields, size_t *count)
{
    unsigned char head[4];
    unsigned char *body;
    uint32_t size, at = 1;
    size_t n = 0, cap = 16;
    struct field *out;
    if (read_all(fd, head, 4) < 0) return -1;
    size = get_u32(head);
    if (size < 1 || size > 256u * 1024 * 1024) return -1;
    body = malloc(size);
    out = malloc(cap * sizeof *out);
    if (!body || !out || read_all(fd, body, size) < 0) return -1;
    *type = (char)body[0];
    while (at < size) {
        uint32_t len;
        if (size - at < 4) return -1;
        len = get_u32(body + at);
        at += 4;
        if (size - at < len) return -1;
        if (n == cap) {
            cap *= 2;
            out = realloc(out, cap * sizeof *out);
            if (!out) return -1;
        }
        out[n].text = malloc((size_t)len + 1);
        if (!out[n].text) return -1;
        memcpy(out[n].text, body + at, len);
        out[n].text[len] = '\0';
        out[n].len = len;
        n++;
        at += len;
    }
    free(body);
    *fields = out;
    *count = n;
    return 0;
}

static void fields_free(struct field *fields, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++) free(fields[i].text);
    free(fields);
}

/* Drains the child's captured pipes (either may be -1) until both close. */
static void drain(int out_fd, int err_fd, struct buf *out, struct buf *err)
{
    struct pollfd p[2];
    char chunk[65536];
    p[0].fd = out_fd;
    p[1].fd = err_fd;
    p[0].events = p[1].events = POLLIN;
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        int i;
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (i = 0; i < 2; i++) {
            ssize_t r;
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            r = read(p[i].fd, chunk, sizeof chunk);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) {
                close(p[i].fd);
                p[i].fd = -1;
            } else {
                buf_add(i == 0 ? out : err, chunk, (size_t)r);
            }
        }
    }
}

/* A pipe whose ends the compiler does not inherit (the write end is dup2'ed onto its stdout or stderr). */
static int capture_pipe(int fds[2])
{
    if (pipe(fds) < 0) return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

/* Runs an R frame (file, argv0, cwd, capture, argc, args..., env...) and answers with its D frame. */
static int run_request(int sock, struct field *f, size_t count)
{
    struct buf out = {0}, err = {0}, reply = {0};
    int outp[2] = {-1, -1}, errp[2] = {-1, -1};
    char **argv, **envp;
    long argc;
    size_t i;
    pid_t pid;
    int status, rc;
    if (count < 5) return -1;
    argc = strtol(f[4].text, NULL, 10);
    if (argc < 0 || (size_t)argc > count - 5) return -1;
    argv = calloc((size_t)argc + 2, sizeof *argv);
    envp = calloc(count - 5 - (size_t)argc + 1, sizeof *envp);
    if (!argv || !envp) return -1;
    argv[0] = f[1].text;
    for (i = 0; i < (size_t)argc; i++) argv[i + 1] = f[5 + i].text;
    for (i = 5 + (size_t)argc; i < count; i++) envp[i - 5 - (size_t)argc] = f[i].text;
    if (strchr(f[3].text, 'o') && capture_pipe(outp) < 0) return -1;
    if (strchr(f[3].text, 'e') && capture_pipe(errp) < 0) return -1;
    pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (outp[1] >= 0) dup2(outp[1], 1);
        if (errp[1] >= 0) dup2(errp[1], 2);
        if (chdir(f[2].text) < 0) {
            dprintf(2, "spincheck: cannot change to directory %s: %s\n", f[2].text, strerror(errno));
            _exit(127);
        }
        execve(f[0].text, argv, envp);
        dprintf(2, "spincheck: cannot run %s: %s\n", f[0].text, strerror(errno));
        _exit(127);
    }
    running_child = pid;
    if (interrupted) kill(pid, interrupted);
    if (outp[1] >= 0) close(outp[1]);
    if (errp[1] >= 0) close(errp[1]);
    drain(outp[0], errp[0], &out, &err);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    running_child = 0;
    free(argv);
    free(envp);
    if (interrupted) return -1; /* the caller tells the server instead of reporting the run */
    frame_begin(&reply, 'D');
    frame_str(&reply, WIFSIGNALED(status) ? "signal" : "status");
    frame_num(&reply, WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    frame_field(&reply, out.data ? out.data : "", out.len);
    frame_field(&reply, err.data ? err.data : "", err.len);
    rc = frame_send(sock, &reply);
    free(out.data);
    free(err.data);
    free(reply.data);
    return rc;
}

/* The directory this executable is in (the Node entry points sit beside it): /proc, else the invocation resolved. */
static int own_dir(const char *invoked, char *out, size_t size)
{
    char path[PATH_MAX];
    char *slash;
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0) {
        path[n] = '\0';
    } else if (!realpath(invoked, path)) {
        return -1;
    }
    slash = strrchr(path, '/');
    if (!slash) return -1;
    *slash = '\0';
    return snprintf(out, size, "%s", path) < (int)size ? 0 : -1;
}

/* a/b into out; -1 when it does not fit. */
static int path_join(char *out, size_t size, const char *a, const char *b)
{
    int n = snprintf(out, size, "%s/%s", a, b);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* How this process was invoked, as an absolute path: argv[0], looked up on PATH when it has no slash. */
static void invoked_as(const char *argv0, const char *cwd, char *out, size_t size)
{
    const char *path = getenv("PATH");
    char found[PATH_MAX];
    if (strchr(argv0, '/')) {
        if (argv0[0] == '/' ? snprintf(out, size, "%s", argv0) < (int)size : path_join(out, size, cwd, argv0) == 0) return;
    }
    while (!strchr(argv0, '/') && path && *path) {
        const char *end = strchr(path, ':');
        int len = end ? (int)(end - path) : (int)strlen(path);
        struct stat st;
        int n = snprintf(found, sizeof found, "%.*s/%s", len, path, argv0);
        if (len > 0 && n > 0 && (size_t)n < sizeof found && stat(found, &st) == 0 && S_ISREG(st.st_mode) &&
            access(found, X_OK) == 0) {
            if (found[0] == '/' ? snprintf(out, size, "%s", found) < (int)size : path_join(out, size, cwd, found) == 0) return;
        }
        path = end ? end + 1 : NULL;
    }
    snprintf(out, size, "%s", argv0);
}

/* Where the Node entry points are: beside this executable, else (a launcher built into the per-user cache) the
   package's dist/bin it was built for. */
static int entry_dir(const char *self, char *out, size_t size)
{
    char js[PATH_MAX];
    if (own_dir(self, out, size) == 0 && path_join(js, sizeof js, out, "spincheck-cc.js") == 0 && access(js, F_OK) == 0) return 0;
#ifdef SPINCHECK_DIST
    return snprintf(out, size, "%s", SPINCHECK_DIST) < (int)size ? 0 : -1;
#else
    return own_dir(self, out, size);
#endif
}

static const char *node_program(void)
{
    const char *env = getenv("SPINCHECK_NODE");
    if (env && *env) return env;
    return access(SPINCHECK_NODE, X_OK) == 0 ? SPINCHECK_NODE : "node";
}

/* Runs the Node wrapper in this process: no server, or the server could not serve this compile. */
static int run_node(const char *dir, const char *self, int argc, char **argv)
{
    char js[PATH_MAX];
    const char *node = node_program();
    char **args = calloc((size_t)argc + 2, sizeof *args);
    int i;
    if (!args) return 127;
    if (path_join(js, sizeof js, dir, "spincheck-cc.js") < 0) return 127;
    if (access(js, R_OK) != 0) {
        fprintf(stderr, "spincheck: error: %s: %s; reinstall spincheck (npm install, or npm run build in a checkout)\n", js,
                strerror(errno));
        return 127;
    }
    setenv("SPINCHECK_SELF", self, 1);
    args[0] = (char *)node;
    args[1] = js;
    for (i = 1; i < argc; i++) args[i + 1] = argv[i];
    execvp(node, args);
    fprintf(stderr, "spincheck-cc: cannot start Node.js (%s): %s\n", node, strerror(errno));
    return 127;
}

/* A private directory of this user (created 0700), or -1. */
static int private_dir(char *out, size_t size, const char *parent, const char *name)
{
    struct stat st;
    int n = snprintf(out, size, "%s/%s", parent, name);
    if (n <= 0 || (size_t)n >= size) return -1;
    if (mkdir(out, 0700) < 0 && errno != EEXIST) return -1;
    if (lstat(out, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077)) return -1;
    return 0;
}

/* The per-user socket directory: $XDG_RUNTIME_DIR/spincheck, else (unset or unusable, as in many containers)
   spincheck-<uid> in $TMPDIR, else in /tmp. */
static int socket_dir(char *out, size_t size)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    const char *tmp = getenv("TMPDIR");
    char name[64];
    snprintf(name, sizeof name, "spincheck-%lu", (unsigned long)getuid());
    if (xdg && *xdg && private_dir(out, size, xdg, "spincheck") == 0) return 0;
    if (tmp && *tmp && private_dir(out, size, tmp, name) == 0) return 0;
    return private_dir(out, size, "/tmp", name);
}

static int connect_to(const char *path)
{
    struct sockaddr_un addr;
    int fd;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) return -1;
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
#ifdef SO_NOSIGPIPE
    {
        int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
    }
#endif
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Closes every descriptor from `lowest` up (close_range where the kernel has it, else up to the descriptor limit). */
static void close_from(int lowest)
{
    struct rlimit rl;
    long max = 65536, fd;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)lowest, ~0U, 0) == 0) return;
#endif
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < max) max = (long)rl.rlim_cur;
    for (fd = lowest; fd < max; fd++) close((int)fd);
}

/* Standard descriptors the caller closed become /dev/null (as Node does): the socket must not take their numbers. */
static void open_std_fds(void)
{
    int fd;
    for (fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd) return;
    }
}

/* Starts the server, detached from the build (no inherited descriptors), unless another launcher just did. */
static void start_server(const char *dir, const char *sock)
{
    char marker[PATH_MAX], js[PATH_MAX];
    struct stat st;
    pid_t pid;
    int fd;
    if (snprintf(marker, sizeof marker, "%s.starting", sock) >= (int)sizeof marker) return;
    if (path_join(js, sizeof js, dir, "spincheck-cc-server.js") < 0) return;
    fd = open(marker, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 && errno == EEXIST && stat(marker, &st) == 0 && time(NULL) - st.st_mtime > START_MARKER_SECONDS) {
        unlink(marker);
        fd = open(marker, O_WRONLY | O_CREAT | O_EXCL, 0600);
    }
    if (fd < 0) return;
    close(fd);
    pid = fork();
    if (pid == 0) {
        const char *node = node_program();
        int null = open("/dev/null", O_RDWR);
        setsid();
        if (fork() != 0) _exit(0);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        close_from(3);
        if (chdir("/") == 0) execlp(node, node, js, sock, marker, (char *)NULL);
        unlink(marker);
        _exit(127);
    }
    if (pid > 0) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
}

/* After SIGINT/SIGTERM/SIGHUP: the server stops the compile and removes its temp files, then says so (X) or goes. */
static void finish_interrupted(int fd)
{
    struct buf frame = {0};
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, NULL);
    frame_begin(&frame, 'I');
    frame_num(&frame, interrupted);
    if (frame_send(fd, &frame) == 0) {
        for (;;) {
            struct pollfd p;
            struct field *f = NULL;
            size_t count = 0;
            char type;
            p.fd = fd;
            p.events = POLLIN;
            if (poll(&p, 1, CLEANUP_WAIT_MS) <= 0 || frame_read(fd, &type, &f, &count) < 0) break;
            fields_free(f, count);
            if (type == 'X') break;
        }
    }
    close(fd);
    die_by(interrupted);
}

static int wants_server(void)
{
    const char *v = getenv("SPINCHECK_SERVER");
    return !v || !(strcmp(v, "0") == 0 || strcasecmp(v, "off") == 0 || strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0);
}

int main(int argc, char **argv)
{
    char dir[PATH_MAX], cwd[PATH_MAX], self[PATH_MAX], sdir[PATH_MAX], sock[PATH_MAX];
    struct buf request = {0};
    int fd, i, n;
    char **e;
    open_std_fds();
    if (!getcwd(cwd, sizeof cwd)) {
        fputs("spincheck-cc: cannot read the working directory\n", stderr);
        return 127;
    }
    /* The launcher script (the bin entry) says how it was invoked: $0, as a symlink named gcc may be. */
    invoked_as(getenv("SPINCHECK_SELF") && *getenv("SPINCHECK_SELF") ? getenv("SPINCHECK_SELF") : argv[0], cwd, self, sizeof self);
    unsetenv("SPINCHECK_SELF");
    if (entry_dir(self, dir, sizeof dir) < 0) {
        fprintf(stderr, "spincheck-cc: cannot find its own directory (invoked as %s)\n", self);
        return 127;
    }
    if (!wants_server() || socket_dir(sdir, sizeof sdir) < 0) return run_node(dir, self, argc, argv);
    n = snprintf(sock, sizeof sock, "%s/cc-%s.sock", sdir, SPINCHECK_BUILD_ID);
    /* The server binds "<socket>.<pid>" first: both names must fit a socket address. */
    if (n <= 0 || (size_t)n + 12 >= sizeof ((struct sockaddr_un *)0)->sun_path) return run_node(dir, self, argc, argv);
    fd = connect_to(sock);
    if (fd < 0) {
        start_server(dir, sock);
        return run_node(dir, self, argc, argv);
    }
    catch_signals();

    frame_begin(&request, 'Q');
    frame_str(&request, PROTOCOL_VERSION);
    frame_str(&request, cwd);
    frame_str(&request, self);
    frame_str(&request, isatty(2) ? "1" : "0");
    frame_num(&request, argc - 1);
    for (i = 1; i < argc; i++) frame_str(&request, argv[i]);
    for (e = environ; *e; e++) frame_str(&request, *e);
    if (frame_send(fd, &request) < 0) {
        close(fd);
        return run_node(dir, self, argc, argv);
    }
    for (;;) {
        struct field *f = NULL;
        struct pollfd p;
        size_t count = 0;
        char type;
        p.fd = fd;
        p.events = POLLIN;
        if (poll(&p, 1, SERVER_SILENCE_MS) <= 0 || frame_read(fd, &type, &f, &count) < 0) break;
        if (type == 'O' && count == 1) {
            write_all(1, f[0].text, f[0].len);
        } else if (type == 'E' && count == 1) {
            write_all(2, f[0].text, f[0].len);
        } else if (type == 'R') {
            if (run_request(fd, f, count) < 0) break;
        } else if (type == 'X' && count == 2) {
            int value = atoi(f[1].text);
            if (strcmp(f[0].text, "signal") == 0) die_by(value);
            return value;
        } else {
            break;
        }
        fields_free(f, count);
    }
    if (interrupted) finish_interrupted(fd);
    close(fd);
    /* The server went away, went silent or declined: the Node wrapper does this compile (safe to run again). */
    restore_signals();
    return run_node(dir, self, argc, argv);
}
