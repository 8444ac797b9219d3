import Foundation

@testable import Steadfast

#if canImport(Glibc)
import Glibc
#endif

extension Connection {
    /// The kernel's id of this connection's own thread (every call on the actor runs there);
    /// `nil` where the tests cannot read a thread's state (not Linux).
    func kernelThreadID() -> Int32? {
        #if os(Linux)
        // "/proc/thread-self" links to "<pid>/task/<tid>" for the calling thread.
        var buffer = [CChar](repeating: 0, count: 256)
        let count = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.split(separator: "/").last.flatMap { Int32($0) }
        #else
        return nil
        #endif
    }
}

/// A thread's scheduling state as the kernel reports it (`/proc/self/task/<tid>/stat`): `S` for
/// a thread asleep in a system call such as `poll(2)`, `R` for one running or waiting for a CPU
/// — what a thread that spins is, whatever the load. Linux only.
enum ThreadState {
    static func of(_ tid: Int32) -> String? {
        let fd = open("/proc/self/task/\(tid)/stat", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        // "tid (name) S …": the name may hold spaces and parentheses; the state follows the last ')'.
        let stat = String(decoding: bytes, as: UTF8.self)
        guard let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").first.map(String.init)
    }

    /// Samples the state of thread `tid` `count` times, each after `between` (an observation of
    /// the server, say), and returns the states seen; empty where unsupported.
    static func sample(_ tid: Int32?, count: Int = 20, between: () async throws -> Void) async rethrows -> [String] {
        guard let tid else { return [] }
        var states: [String] = []
        for _ in 0..<count {
            try await between()
            if let state = of(tid) { states.append(state) }
        }
        return states
    }
}
