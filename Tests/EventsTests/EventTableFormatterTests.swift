import Events
import XCTest

/// `EventTableFormatter`: the column view people read.
final class EventTableFormatterTests: XCTestCase {
    func testLines_everyType_alignInFixedColumns() {
        let formatter = EventTableFormatter()
        let text = ([formatter.header] + SampleEvents.numbered.map(formatter.line(for:))).joined(separator: "\n")
        XCTAssertEqual(text, """
               SEQ         TIME  CAMERA      EVENT               IDENTITY  TRACK  EVIDENCE
                 1       0.000s              run_started                          pipeline demo.yaml  cameras cam-a,cam-b
                 2       1.200s  cam-a       track_started                 3
                 3       1.200s  cam-a       identity_assigned   #1        3
                 4      12.400s  cam-b       identity_matched    #1        7      sim 0.873  margin 0.121  from cam-a  gap 4.200s
                 5      14.000s  cam-b       identity_corrected  #2        7      sim 0.710  was #1  reason: similarity to identity 1 fell to 0.41, below 0.5
                 6      20.500s  cam-a       track_ended         #1        3
                 7      21.000s  cam-b       camera_error                         message: 3 damaged packets skipped
                 8      22.000s  cam-b       camera_down                          last frame 21.900s  reason: end of stream
                 9      30.000s  cam-b       camera_up                            gap 8.100s
                10      30.000s              run_resumed
                11      40.000s              run_finished                         reason: footage ended
            """)
    }

    func testLine_longCameraName_printedWholeShiftingOnlyItsLine() {
        let formatter = EventTableFormatter(cameraWidth: 6)
        let record = EventRecord(seq: 1, type: .cameraUp, time: 1, camera: "loading-dock-north", gap: 2)
        XCTAssertEqual(formatter.line(for: record), "     1       1.000s  loading-dock-north  camera_up                            gap 2.000s")
    }

    func testSeconds_mediaTime_printsMilliseconds() {
        XCTAssertEqual(EventTableFormatter.seconds(12.4), "12.400s")
        XCTAssertEqual(EventTableFormatter.seconds(3725.0625), "3725.062s")
    }
}
