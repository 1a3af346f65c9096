package io.launchworker.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;

/** Creates the process's meter registry with the JVM and process binders. */
public final class Metrics {
  /** Micrometer's name for the JVM's processor count; Prometheus reads {@code _count} as part of a histogram. */
  static final String CPU_COUNT = "system.cpu.count";
  /** What the processor count is exported as instead ({@code system_cpu_processors}). */
  static final String CPU_PROCESSORS = "system.cpu.processors";
  /** Micrometer's process CPU time, in nanoseconds: {@code process_cpu_time_ns_total}, a unit Prometheus avoids. */
  static final String CPU_TIME_NS = "process.cpu.time";
  /** The process CPU time in seconds instead, Prometheus's usual {@code process_cpu_seconds_total}. */
  static final String CPU_SECONDS = "process.cpu";

  /**
   * Renames and replaces the two binder meters {@code promtool check metrics} objects to, so that a scrape lints
   * clean: it says "non-histogram and non-summary metrics should not have _count suffix" and "metric names should
   * not contain abbreviated units".
   */
  private static final MeterFilter PROMETHEUS_NAMES = new MeterFilter() {
    @Override
    public MeterFilterReply accept(Meter.Id id) {
      return id.getName().equals(CPU_TIME_NS) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
      return id.getName().equals(CPU_COUNT) ? id.withName(CPU_PROCESSORS) : id;
    }
  };

  private Metrics() {}

  public static PrometheusMeterRegistry prometheus() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bindProcessMeters(registry);
    return registry;
  }

  /**
   * JVM memory, GC, threads, class loading, CPU and uptime. Adds a meter filter to the registry: call it before
   * any other meter is registered (Micrometer warns about a filter that comes later).
   */
  public static void bindProcessMeters(MeterRegistry registry) {
    registry.config().meterFilter(PROMETHEUS_NAMES);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        && os.getProcessCpuTime() >= 0) {
      FunctionCounter.builder(CPU_SECONDS, os, bean -> bean.getProcessCpuTime() / 1e9).baseUnit("seconds")
          .description("CPU time used by the Java virtual machine process").register(registry);
    }
  }
}
