package org.apache.dubbo.samples;

import com.alibaba.fastjson2.JSON;
import com.alibaba.fastjson2.JSONArray;
import com.alibaba.fastjson2.JSONObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.dubbo.rpc.RpcContext;
import org.apache.dubbo.rpc.RpcException;

/** One step of the consumer: CALLS calls of one method on THREADS threads, each printed. */
final class Step {
  private final int index;
  private final String method;
  private final JSONArray args;
  private final int calls;
  private final int threads;
  private final Map<String, String> attachments = new TreeMap<>();
  private final long pauseMs;
  private final boolean expectError;

  Step(int index, JSONObject spec) {
    this.index = index;
    this.method = spec.getString("method");
    this.args = spec.containsKey("args") ? spec.getJSONArray("args") : new JSONArray();
    this.calls = spec.getIntValue("calls", 1);
    this.threads = Math.max(1, spec.getIntValue("threads", 1));
    JSONObject a = spec.getJSONObject("attachments");
    if (a != null) a.forEach((k, v) -> attachments.put(k, String.valueOf(v)));
    this.pauseMs = spec.getLongValue("pauseMs", 0);
    this.expectError = spec.getBooleanValue("expectError", false);
  }

  /** Runs the step; true when every call ended as expected. */
  boolean run(GreetingService service) throws Exception {
    if (pauseMs > 0) Thread.sleep(pauseMs);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger bad = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Future<?>[] workers = new Future<?>[threads];
    for (int t = 0; t < threads; t++) {
      workers[t] = pool.submit(() -> {
        for (int i; (i = next.getAndIncrement()) < calls; ) {
          if (!callOnce(service, i)) bad.incrementAndGet();
        }
      });
    }
    for (Future<?> w : workers) w.get();
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.MINUTES);
    return bad.get() == 0;
  }

  private boolean callOnce(GreetingService service, int call) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("step", index);
    line.put("call", call);
    attachments.forEach((k, v) -> RpcContext.getClientAttachment().setAttachment(k, v));
    try {
      Object result = invoke(service);
      line.put("ok", true);
      line.put("result", result);
      Map<String, Object> back = new TreeMap<>();
      RpcContext.getClientResponseContext().getObjectAttachments().forEach((k, v) -> {
        if (v instanceof String) back.put(k, v);
      });
      line.put("attachments", back);
    } catch (RuntimeException e) {
      line.put("ok", false);
      line.put("error", e.getClass().getName());
      line.put("code", e instanceof RpcException ? ((RpcException) e).getCode() : null);
      line.put("message", String.valueOf(e.getMessage()));
    }
    synchronized (System.out) {
      System.out.println(JSON.toJSONString(line));
    }
    return (Boolean) line.get("ok") != expectError;
  }

  private Object invoke(GreetingService service) {
    return switch (method) {
      case "sayHello" -> service.sayHello(args.getString(0));
      case "greet" -> service.greet(JSON.parseObject(JSON.toJSONString(args.get(0)), Person.class));
      case "fail" -> service.fail(args.getString(0));
      case "record" -> {
        service.record(args.getString(0));
        yield null;
      }
      case "recorded" -> service.recorded();
      case "echo" -> service.echo();
      case "connections" -> service.connections();
      default -> throw new IllegalArgumentException("unknown method " + method);
    };
  }
}
