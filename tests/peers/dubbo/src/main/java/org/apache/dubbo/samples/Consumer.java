package org.apache.dubbo.samples;

import com.alibaba.fastjson2.JSON;
import com.alibaba.fastjson2.JSONArray;
import com.alibaba.fastjson2.JSONObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.MethodConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;

/**
 * A Dubbo consumer of {@link GreetingService} at a direct URL (dubbo protocol, hessian2, no
 * registry, no retries). Prints one JSON line per call and exits 1 when a call's outcome is not
 * the expected one (2 on bad usage).
 *
 * <pre>
 * Consumer --url dubbo://127.0.0.1:PORT [--connections N] [--heartbeat MS] [--timeout MS]
 *          [--method M --arg JSON --calls N --threads C --attachment K=V ... --expect-error]
 * </pre>
 *
 * Without --method, steps are read from standard input, one JSON object per line:
 * {"method":"sayHello","args":["x"],"calls":1,"threads":1,"attachments":{},"pauseMs":0,
 * "expectError":false}. Each call prints {"step":S,"call":I,"ok":true,"result":R,
 * "attachments":{response attachments}} or {"step":S,"call":I,"ok":false,"error":CLASS,
 * "code":RPC_CODE,"message":M}.
 */
public final class Consumer {
  private Consumer() {}

  public static void main(String[] argv) throws Exception {
    Options options;
    try {
      options = Options.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("Consumer: " + e.getMessage());
      System.exit(2);
      return;
    }
    List<JSONObject> steps = options.step != null ? List.of(options.step) : readSteps();
    GreetingService service = connect(options);
    boolean good = true;
    for (int i = 0; i < steps.size(); i++) {
      good &= new Step(i, steps.get(i)).run(service);
    }
    System.out.flush();
    DubboBootstrap.getInstance().stop();
    System.exit(good ? 0 : 1);
  }

  private static List<JSONObject> readSteps() throws Exception {
    List<JSONObject> steps = new ArrayList<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (!line.isBlank()) steps.add(JSON.parseObject(line));
    }
    return steps;
  }

  private static GreetingService connect(Options options) {
    ApplicationConfig application = new ApplicationConfig("aeraki-dubbo-peer-consumer");
    application.setQosEnable(false);
    application.setMetadataType("local");

    ReferenceConfig<GreetingService> reference = new ReferenceConfig<>();
    reference.setInterface(GreetingService.class);
    reference.setUrl(options.url);
    reference.setTimeout(options.timeoutMs);
    reference.setRetries(0);
    reference.setCheck(false);
    reference.setConnections(options.connections);
    Map<String, String> parameters = new HashMap<>();
    parameters.put("serialization", "hessian2");
    parameters.put("prefer.serialization", "hessian2");
    if (options.heartbeatMs > 0) parameters.put("heartbeat", String.valueOf(options.heartbeatMs));
    reference.setParameters(parameters);
    MethodConfig record = new MethodConfig();
    record.setName("record");
    record.setReturn(false); // oneway: the request goes out with two-way unset
    reference.setMethods(List.of(record));

    DubboBootstrap.getInstance()
        .application(application)
        .registry(new RegistryConfig(RegistryConfig.NO_AVAILABLE))
        .reference(reference)
        .start();
    return reference.get();
  }

  /** Command-line options; a step from the flags when --method is given. */
  static final class Options {
    String url;
    int connections = 1;
    int heartbeatMs;
    int timeoutMs = 5000;
    JSONObject step;

    static Options parse(String[] argv) {
      Options o = new Options();
      JSONObject step = new JSONObject();
      JSONObject attachments = new JSONObject();
      for (int i = 0; i < argv.length; i++) {
        String flag = argv[i];
        if (flag.equals("--expect-error")) {
          step.put("expectError", true);
          continue;
        }
        if (i + 1 >= argv.length) throw new IllegalArgumentException("missing value after " + flag);
        String value = argv[++i];
        switch (flag) {
          case "--url" -> o.url = value;
          case "--connections" -> o.connections = Integer.parseInt(value);
          case "--heartbeat" -> o.heartbeatMs = Integer.parseInt(value);
          case "--timeout" -> o.timeoutMs = Integer.parseInt(value);
          case "--method" -> step.put("method", value);
          case "--arg" -> step.put("args", JSONArray.of(JSON.parse(value)));
          case "--calls" -> step.put("calls", Integer.parseInt(value));
          case "--threads" -> step.put("threads", Integer.parseInt(value));
          case "--attachment" -> {
            int eq = value.indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("--attachment takes KEY=VALUE: " + value);
            attachments.put(value.substring(0, eq), value.substring(eq + 1));
          }
          default -> throw new IllegalArgumentException("unknown flag " + flag);
        }
      }
      if (o.url == null) throw new IllegalArgumentException("--url dubbo://HOST:PORT is required");
      if (step.containsKey("method")) {
        step.put("attachments", attachments);
        o.step = step;
      }
      return o;
    }
  }
}
