public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Steadfast
import Synchronization

/// The PostgreSQL server tests run against: `DATABASE_URL` when it is set, otherwise a
/// throwaway server started from the installed PostgreSQL binaries in a temporary directory
/// (as root, it runs as the `postgres` OS user), listening on a unix socket only and stopped
/// when the test process exits.
///
/// Each ``SteadfastTestEnvironment`` gets a database of its own on this server, so suites can
/// run in parallel.
public struct SteadfastTestServer: Sendable {
    /// A connection string to the server's maintenance database (`postgres`, or
    /// `DATABASE_URL`'s database), with rights to create databases.
    public let connectionString: String

    /// Uses an existing server.
    public init(connectionString: String) {
        self.connectionString = connectionString
    }

    private static let sharedServer = Mutex<SteadfastTestServer?>(nil)

    /// `DATABASE_URL` when set; otherwise the process's throwaway server, started on first use.
    /// - Throws: `SteadfastError` with code `SteadfastError/Code/connectionFailed` when no
    ///   PostgreSQL binaries are installed or the server does not start.
    public static func shared() throws -> SteadfastTestServer {
        try sharedServer.withLock { server throws(SteadfastError) -> SteadfastTestServer in
            if let server { return server }
            let made: SteadfastTestServer
            if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
                made = SteadfastTestServer(connectionString: url)
            } else {
                made = try startLocal(stopAtExit: true).server
            }
            server = made
            return made
        }
    }

    /// A server started by ``startLocal(binDirectory:stopAtExit:)``: where its data lives and how to stop it.
    public struct LocalServer: Sendable {
        /// The server, reachable on its unix socket.
        public let server: SteadfastTestServer
        /// The temporary directory holding its data, socket and log.
        public let directory: URL
        let binDirectory: URL

        /// Stops the server and deletes its directory.
        public func stop() {
            _ = try? SteadfastTestServer.runAsPostgres(binDirectory.appendingPathComponent("pg_ctl").path,
                                                       ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"])
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Starts a new PostgreSQL in a temporary directory: `initdb`, then `pg_ctl start` on a unix
    /// socket inside that directory (no TCP port). As root it runs as the `postgres` user.
    /// - Parameters:
    ///   - binDirectory: Where `initdb` and `pg_ctl` are. Defaults to `nil`: the newest
    ///     `/usr/lib/postgresql/*/bin`, else the one `pg_config --bindir` names.
    ///   - stopAtExit: Whether to stop it when the process exits. Defaults to `true`.
    public static func startLocal(binDirectory: URL? = nil, stopAtExit: Bool = true) throws(SteadfastError) -> LocalServer {
        guard let bin = binDirectory ?? findBinDirectory() else {
            throw SteadfastError(.connectionFailed, message: "no PostgreSQL binaries found (looked in /usr/lib/postgresql/*/bin); set DATABASE_URL or install postgresql")
        }
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("steadfast-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let data = directory.appendingPathComponent("data")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw SteadfastError(.connectionFailed, message: "cannot create \(directory.path): \(error)")
        }
        if getuid() == 0 {
            _ = try run("/bin/chown", ["postgres:postgres", directory.path])
        }
        try runAsPostgres(bin.appendingPathComponent("initdb").path,
                          ["-D", data.path, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"])
        let conf = """

            listen_addresses = ''
            unix_socket_directories = '\(directory.path)'
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            max_connections = 200

            """
        let confURL = data.appendingPathComponent("postgresql.conf")
        guard let handle = try? FileHandle(forWritingTo: confURL) else {
            throw SteadfastError(.connectionFailed, message: "cannot write \(confURL.path)")
        }
        handle.seekToEndOfFile()
        handle.write(Data(conf.utf8))
        try? handle.close()
        try runAsPostgres(bin.appendingPathComponent("pg_ctl").path,
                          ["-D", data.path, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "60", "start"])
        let local = LocalServer(
            server: SteadfastTestServer(connectionString: "postgresql:///postgres?host=\(directory.path)&user=postgres"),
            directory: directory, binDirectory: bin)
        if stopAtExit {
            localServers.withLock { $0.append(local) }
            registerExitHandler
        }
        return local
    }

    private static let localServers = Mutex<[LocalServer]>([])
    private static let registerExitHandler: Void = {
        atexit {
            let servers = SteadfastTestServer.localServers.withLock { $0 }
            servers.forEach { $0.stop() }
        }
    }()

    static func findBinDirectory() -> URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let bin = root.appendingPathComponent(version).appendingPathComponent("bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) { return bin }
        }
        if let output = try? run("/usr/bin/env", ["pg_config", "--bindir"]) {
            let path = output.trimmingCharacters(in: .whitespacesAndNewlines)
            if !path.isEmpty { return URL(fileURLWithPath: path) }
        }
        return nil
    }

    /// Runs a PostgreSQL binary, as the `postgres` user when this process is root.
    @discardableResult
    static func runAsPostgres(_ executable: String, _ arguments: [String]) throws(SteadfastError) -> String {
        if getuid() == 0 {
            return try run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        }
        return try run(executable, arguments)
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws(SteadfastError) -> String {
        // Output goes to a file, not a pipe: `pg_ctl start` leaves the server running with the
        // pipe inherited, so reading a pipe to its end would wait for the server to stop.
        let outputURL = URL(fileURLWithPath: "/tmp/steadfast-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log")
        FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        // posix_spawn and waitpid: Foundation's Process.waitUntilExit can hang when called
        // from a Swift concurrency thread on Linux.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputURL.path, O_WRONLY | O_APPEND, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw SteadfastError(.connectionFailed, message: "cannot run \(executable): errno \(spawned)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        guard exitCode == 0 else {
            throw SteadfastError(.connectionFailed, message: "\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}
