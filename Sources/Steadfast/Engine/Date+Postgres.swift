import Foundation

extension Date: PostgresTextDecodable {
    /// Parses a `timestamptz` as PostgreSQL prints it with `DateStyle = ISO`:
    /// `2026-11-24 21:42:21.477248+00` (offset `+HH`, `+HH:MM` or `+HH:MM:SS`).
    package init?(postgresText text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for _ in 0..<digits {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
                index += 1
            }
            return value
        }
        func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip(45), let month = number(2), skip(45), let day = number(2),
              skip(32) || skip(84), let hour = number(2), skip(58), let minute = number(2), skip(58),
              let second = number(2)
        else { return nil }
        var fraction = 0.0
        if skip(46) {
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 {
            let sign = bytes[index] == 45 ? -1 : 1
            index += 1
            guard let h = number(2) else { return nil }
            var seconds = h * 3600
            if skip(58), let m = number(2) {
                seconds += m * 60
                if skip(58), let s = number(2) { seconds += s }
            }
            offset = sign * seconds
        }
        guard index == bytes.count else { return nil }
        // Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second)
        self = Date(timeIntervalSince1970: seconds + fraction - Double(offset))
    }

    /// The instant as a `timestamptz` literal PostgreSQL accepts.
    var postgresText: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: self)
    }
}

extension Date {
    /// ISO 8601 in UTC with microseconds, PostgreSQL's precision (`2026-11-24T21:42:21.477248Z`):
    /// a `timestamptz` that compares equal to the one the date was read from, as keyset
    /// pagination needs.
    package var microsecondText: String {
        let micros = Int64((timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = Int64((Double(micros) / 1_000_000).rounded(.down))
        let fraction = micros - seconds * 1_000_000
        var time = tm()
        var t = time_t(seconds)
        gmtime_r(&t, &time)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(time.tm_year) + 1900, Int(time.tm_mon) + 1,
                      Int(time.tm_mday), Int(time.tm_hour), Int(time.tm_min), Int(time.tm_sec), Int(fraction))
    }
}
