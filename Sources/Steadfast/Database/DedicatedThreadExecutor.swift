import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A serial executor that runs its jobs on one dedicated OS thread of its own.
///
/// libpq's calls block the calling thread (connecting, waiting for a query's result). Run on
/// Swift's cooperative pool — a handful of threads, one per core — they would starve every
/// other task in the process. Each ``Connection`` is an actor whose executor is one of these,
/// so its blocking calls occupy its own thread only.
///
/// When idle, the thread can also wait for a file descriptor to become readable (the
/// connection's socket, for LISTEN/NOTIFY): it then sleeps in `poll(2)` on that descriptor and
/// on a wake-up pipe written by ``enqueue(_:)``, so a new job interrupts the wait at once and
/// nothing ever busy-polls. The readable callback runs on the thread, between jobs, so it is
/// serialized with the actor's code.
///
/// The thread lives until ``shutdown(then:)``; the owner (``Connection``) calls it from its
/// `deinit`, when no job can reference the executor any more.
final class DedicatedThreadExecutor: SerialExecutor, @unchecked Sendable {
    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var isStopping = false
    private var finalWork: (@Sendable () -> Void)?
    private var watched: (descriptor: Int32, onReadable: @Sendable () -> Void)?
    private var isPolling = false
    private var wakeUpPipe: (read: Int32, write: Int32)?

    /// Starts the thread.
    /// - Parameter name: The thread's name, shown by debuggers and `top -H`.
    init(name: String) {
        let thread = Thread { [self] in
            self.runLoop()
        }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        wakeUpLocked()
        condition.unlock()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Stops the thread once its queued jobs have run, after running `work` on it last.
    func shutdown(then work: (@Sendable () -> Void)? = nil) {
        condition.lock()
        isStopping = true
        finalWork = work
        wakeUpLocked()
        condition.unlock()
    }

    /// Makes the idle thread wait for `descriptor` to become readable and call `onReadable` on
    /// the thread when it is. `onReadable` must consume what made the descriptor readable, or
    /// call ``unwatch()``, or it is called again at once.
    /// - Returns: `false` if the wake-up pipe could not be created (out of descriptors).
    @discardableResult
    func watch(_ descriptor: Int32, onReadable: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if wakeUpPipe == nil {
            guard let pipe = Self.makeNonBlockingPipe() else { return false }
            wakeUpPipe = pipe
        }
        watched = (descriptor, onReadable)
        wakeUpLocked()
        return true
    }

    /// Stops waiting for the watched descriptor.
    func unwatch() {
        condition.lock()
        watched = nil
        wakeUpLocked()
        condition.unlock()
    }

    /// Whether a descriptor is being watched.
    var isWatching: Bool {
        condition.lock()
        defer { condition.unlock() }
        return watched != nil
    }

    // MARK: The thread

    /// Interrupts the thread's wait; `condition` must be held.
    private func wakeUpLocked() {
        if isPolling, let pipe = wakeUpPipe {
            var byte: UInt8 = 1
            // A full pipe (EAGAIN) is already readable: nothing to do.
            _ = write(pipe.write, &byte, 1)
        } else {
            condition.signal()
        }
    }

    private func runLoop() {
        condition.lock()
        while true {
            if head < jobs.count {
                let job = jobs[head]
                head += 1
                if head == jobs.count {
                    jobs.removeAll(keepingCapacity: true)
                    head = 0
                }
                condition.unlock()
                job.runSynchronously(on: asUnownedSerialExecutor())
                condition.lock()
                continue
            }
            if isStopping {
                break
            }
            if let watched, let pipe = wakeUpPipe {
                isPolling = true
                condition.unlock()
                let readable = Self.waitUntilReadable(watched.descriptor, wakeUpPipe: pipe.read)
                condition.lock()
                isPolling = false
                // Still the same watch (not replaced or removed while we slept)?
                if readable, let current = self.watched, current.descriptor == watched.descriptor {
                    condition.unlock()
                    current.onReadable()
                    condition.lock()
                }
                continue
            }
            condition.wait()
        }
        let work = finalWork
        finalWork = nil
        watched = nil
        if let pipe = wakeUpPipe {
            close(pipe.read)
            close(pipe.write)
            wakeUpPipe = nil
        }
        condition.unlock()
        work?()
    }

    /// Sleeps in `poll(2)` until `descriptor` or the wake-up pipe is readable (or an error or
    /// hang-up is reported on `descriptor`, which its callback must handle).
    /// - Returns: whether `descriptor` needs attention.
    private static func waitUntilReadable(_ descriptor: Int32, wakeUpPipe: Int32) -> Bool {
        var descriptors = [
            pollfd(fd: wakeUpPipe, events: Int16(POLLIN), revents: 0),
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
        ]
        let result = poll(&descriptors, 2, -1)
        if result < 0 {
            // EINTR: go round again. Anything else (EBADF, ENOMEM) would repeat at once:
            // report the descriptor so its callback finds out and unwatches.
            return errno != EINTR
        }
        if descriptors[0].revents != 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            while read(wakeUpPipe, &buffer, buffer.count) > 0 {}
        }
        return descriptors[1].revents != 0
    }

    private static func makeNonBlockingPipe() -> (read: Int32, write: Int32)? {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { return nil }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        return (descriptors[0], descriptors[1])
    }
}
