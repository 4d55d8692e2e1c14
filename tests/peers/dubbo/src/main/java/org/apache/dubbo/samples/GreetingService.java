package org.apache.dubbo.samples;

import java.util.List;
import java.util.Map;

/** The service both peers share: the provider implements it, the consumer calls it. */
public interface GreetingService {
  /** Returns "hello NAME from LABEL", LABEL being the provider's version label. */
  String sayHello(String name);

  /** Takes and returns a POJO (a hessian2 class definition on the wire both ways). */
  Greeting greet(Person person);

  /** Always throws IllegalArgumentException(message): a Dubbo exception response. */
  String fail(String message);

  /** Records an event; the consumer calls it oneway (no reply expected). */
  void record(String event);

  /** The events recorded so far, oldest first. */
  List<String> recorded();

  /** The attachments this call arrived with (string values only). */
  Map<String, String> echo();

  /** How many distinct client connections (remote address:port) have called this provider. */
  int connections();
}
