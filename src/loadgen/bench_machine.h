// What the bench says of the machine it ran on, for the report beside the figures: the CPU,
// memory, kernel and Java (MachineJson), the load average, the file system a cluster's data is
// on, and the heap the JVM gives Apache. Reads /proc and runs `java`; no state.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace pc::loadgen {

// {"nproc", "cpu_model", "mem_total_kb", "kernel", "debian", "java", "date_utc"}
nlohmann::json MachineJson();

// "1.02 0.87 0.55": the 1, 5 and 15 minute load averages.
std::string LoadAverage();

// The file system `path` is on ("ext4", "tmpfs", ...): a cluster on tmpfs never waits for a disk.
std::string FileSystemOf(const std::string& path);

// The JVM's maximum heap with the flags `--apache-jvm` gives Apache (stock: none, so Java's
// default of a quarter of the RAM; tuned: -Xmx256m), as `java -XX:+PrintFlagsFinal` reports it.
int64_t JvmMaxHeapMb(const std::string& apache_jvm);

}  // namespace pc::loadgen
