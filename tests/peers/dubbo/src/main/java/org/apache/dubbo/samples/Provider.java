package org.apache.dubbo.samples;

import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;

/**
 * A Dubbo provider of {@link GreetingService} on HOST:PORT (dubbo protocol, hessian2, no
 * registry). Usage: Provider HOST PORT LABEL. Prints {"ready":true,"port":PORT,"label":LABEL} once
 * it listens, and exits when its standard input closes.
 */
public final class Provider {
  private Provider() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: Provider HOST PORT LABEL");
      System.exit(2);
    }
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    String label = args[2];

    ApplicationConfig application = new ApplicationConfig("aeraki-dubbo-peer-provider-" + label);
    application.setQosEnable(false);
    application.setMetadataType("local");

    ProtocolConfig protocol = new ProtocolConfig("dubbo", port);
    // Dubbo binds every interface when told a 127.x host; ::1 keeps it on loopback.
    protocol.setHost(host);
    protocol.setSerialization("hessian2");

    ServiceConfig<GreetingService> service = new ServiceConfig<>();
    service.setInterface(GreetingService.class);
    service.setRef(new GreetingServiceImpl(label));

    DubboBootstrap bootstrap = DubboBootstrap.getInstance()
        .application(application)
        .registry(new RegistryConfig(RegistryConfig.NO_AVAILABLE))
        .protocol(protocol)
        .service(service)
        .start();
    System.out.println("{\"ready\":true,\"port\":" + port + ",\"label\":\"" + label + "\"}");
    System.out.flush();
    while (System.in.read() != -1) {
      // Runs until the parent closes our standard input (or kills us).
    }
    bootstrap.stop();
    System.exit(0);
  }
}
