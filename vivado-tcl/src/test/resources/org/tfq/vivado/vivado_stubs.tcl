# Stand-ins for the Vivado commands the generated files use, so that plain tclsh can run them:
#     TFQ_STUB_LOG=calls.txt TFQ_STUB_WNS=0.5 tclsh vivado_stubs.tcl path/to/build.tcl
# Every stub appends its name and arguments to TFQ_STUB_LOG, one line per call, flushed at once
# so the log is complete even when the script exits early. TFQ_STUB_WNS is the slack
# get_property SLACK returns for the worst setup path, TFQ_STUB_WHS (default 0.050) for the worst
# hold path; "none" makes get_timing_paths find no path.
# A command used by the script but missing here stops tclsh with "invalid command name".

set tfq_stub_log [open $env(TFQ_STUB_LOG) w]

proc tfq_stub_record {args} {
    puts $::tfq_stub_log $args
    flush $::tfq_stub_log
}

foreach cmd {
    read_verilog read_mem read_xdc read_saif
    opt_design place_design phys_opt_design route_design
    write_checkpoint write_bitstream
    report_utilization report_timing_summary report_power report_drc report_route_status
    set_property create_clock set_msg_config
} {
    proc $cmd {args} "tfq_stub_record $cmd {*}\$args"
}

# synthesis is where $readmemh resolves file names: record the directory it runs in
proc synth_design {args} {
    tfq_stub_record synth_design {*}$args
    tfq_stub_record pwd [pwd]
}

proc get_timing_paths {args} {
    tfq_stub_record get_timing_paths {*}$args
    set type [lindex $args [expr {[lsearch -exact $args -delay_type] + 1}]]
    if {$type eq "min"} {
        if {[info exists ::env(TFQ_STUB_WHS)] && $::env(TFQ_STUB_WHS) eq "none"} { return {} }
        return {tfq_stub_hold_path}
    }
    if {$::env(TFQ_STUB_WNS) eq "none"} { return {} }
    return {tfq_stub_path}
}

proc get_property {args} {
    tfq_stub_record get_property {*}$args
    if {[lindex $args end] eq "tfq_stub_hold_path"} {
        return [expr {[info exists ::env(TFQ_STUB_WHS)] ? $::env(TFQ_STUB_WHS) : "0.050"}]
    }
    return $::env(TFQ_STUB_WNS)
}

proc current_design {args} {
    tfq_stub_record current_design {*}$args
    return tfq_stub_design
}

proc get_drc_checks {args} {
    tfq_stub_record get_drc_checks {*}$args
    return [lindex $args end]
}

proc get_ports {args} {
    tfq_stub_record get_ports {*}$args
    return [lindex $args end]
}

rename exit tfq_stub_exit
proc exit {{code 0}} {
    tfq_stub_record exit $code
    tfq_stub_exit $code
}

# the script sees the arguments after its name, as under vivado -tclargs
set tfq_stub_script [lindex $argv 0]
set argv [lrange $argv 1 end]
source $tfq_stub_script
tfq_stub_record END
tfq_stub_exit 0
