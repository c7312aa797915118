import Foundation
import SynthKit
import Testing
@testable import SynthLab

/// Each plugin's statically linked SynthKit is its own: its globals live in its own `.so`, never
/// in the host's copy or another plugin's.
struct IsolationTests {
    /// The file mapped at `address`, from /proc/self/maps (glibc hides dladdr from Swift).
    static func image(of address: UnsafeRawPointer) -> String? {
        let target = UInt(bitPattern: address)
        // procfs files report size 0, so read the stream to its end rather than by size.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps"), let data = try? handle.readToEnd() else { return nil }
        let maps = String(decoding: data, as: UTF8.self)
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, let dash = fields[0].firstIndex(of: "-"),
                  let low = UInt(fields[0][..<dash], radix: 16),
                  let high = UInt(fields[0][fields[0].index(after: dash)...], radix: 16),
                  target >= low, target < high else { continue }
            return URL(fileURLWithPath: fields[5...].joined(separator: " ")).resolvingSymlinksInPath().path
        }
        return nil
    }

    @Test func everySwiftPluginBindsToItsOwnSynthKit() throws {
        let folder = try Support.pluginFolder()
        let registry = PluginRegistry(searchPath: [folder])
        let hostImage = try #require(Self.image(of: synthKitImageAnchor()))
        var images = Set<String>()
        for plugin in registry.plugins where plugin.id != "missing_rates" {
            let anchor = try #require(plugin.libraryCapability(LibraryCapability.sdkImage), "\(plugin.id)")
            let image = try #require(Self.image(of: anchor))
            #expect(image == URL(fileURLWithPath: plugin.path).resolvingSymlinksInPath().path, "\(plugin.id) uses SynthKit of \(image)")
            #expect(image != hostImage)
            images.insert(image)
        }
        #expect(images.count == 10)
        // The C plugin has no SynthKit at all.
        #expect(try registry.plugin("missing_rates").libraryCapability(LibraryCapability.sdkImage) == nil)
    }
}
