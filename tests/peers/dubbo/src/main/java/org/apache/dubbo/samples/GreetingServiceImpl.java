package org.apache.dubbo.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.dubbo.rpc.RpcContext;

/**
 * The provider's service, labelled with a version (v1, v2) that every reply carries. Each call
 * echoes its string attachments back as response attachments named "echo.KEY", and adds
 * "served-by" = the label.
 */
public class GreetingServiceImpl implements GreetingService {
  private final String label;
  private final List<String> events = new ArrayList<>();
  private final Set<String> remotes = ConcurrentHashMap.newKeySet();

  public GreetingServiceImpl(String label) {
    this.label = label;
  }

  /** The call's string attachments; also notes the caller's connection and echoes them. */
  private Map<String, String> arrived() {
    remotes.add(RpcContext.getServiceContext().getRemoteAddressString());
    Map<String, String> got = new TreeMap<>();
    for (Map.Entry<String, Object> e :
        RpcContext.getServerAttachment().getObjectAttachments().entrySet()) {
      if (e.getValue() instanceof String) got.put(e.getKey(), (String) e.getValue());
    }
    RpcContext response = RpcContext.getServerResponseContext();
    for (Map.Entry<String, String> e : got.entrySet()) {
      response.setAttachment("echo." + e.getKey(), e.getValue());
    }
    response.setAttachment("served-by", label);
    return got;
  }

  @Override
  public String sayHello(String name) {
    arrived();
    return "hello " + name + " from " + label;
  }

  @Override
  public Greeting greet(Person person) {
    arrived();
    Greeting g = new Greeting();
    g.setMessage("hello " + person.getName() + " (" + person.getAge() + ")");
    g.setVersion(label);
    g.setPerson(person);
    return g;
  }

  @Override
  public String fail(String message) {
    arrived();
    throw new IllegalArgumentException(message + " (from " + label + ")");
  }

  @Override
  public void record(String event) {
    arrived();
    synchronized (events) {
      events.add(event);
    }
  }

  @Override
  public List<String> recorded() {
    arrived();
    synchronized (events) {
      return new ArrayList<>(events);
    }
  }

  @Override
  public Map<String, String> echo() {
    return arrived();
  }

  @Override
  public int connections() {
    arrived();
    return remotes.size();
  }
}
