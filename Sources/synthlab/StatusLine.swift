import Foundation
import SynthLab

/// One line of a terminal that each progress report rewrites in place ("\r", erase the line,
/// the new text cut to the terminal's width so that it never wraps); `show(nil)` erases it.
final class StatusLine: @unchecked Sendable {
    private let descriptor: Int32
    private let lock = NSLock()
    private var shown = false

    init(descriptor: Int32 = STDERR_FILENO) { self.descriptor = descriptor }

    func show(_ text: String?) {
        lock.lock()
        defer { lock.unlock() }
        if let text {
            // Three columns spare: the terminal's echo of Ctrl-C ("^C") then fits on the line,
            // which erasing it removes too, instead of wrapping below it.
            let width = max(20, terminalWidth(descriptor) - 3)
            write("\r\u{1B}[2K" + String(text.prefix(width)))
            shown = true
        } else if shown {
            write("\r\u{1B}[2K")
            shown = false
        }
    }

    private func write(_ text: String) {
        FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).write(Data(text.utf8))
    }
}

/// The status line of a command run from a terminal (synth, sample, validate): the plugins'
/// progress with the time left. Each erases it before its report, `reportingErrors` before an error.
let commandStatusLine = StatusLine()

/// The columns of the terminal on `descriptor` (80 when it is not a terminal).
func terminalWidth(_ descriptor: Int32 = STDOUT_FILENO) -> Int {
    var size = winsize()
    if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 80
}
