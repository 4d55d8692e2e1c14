package org.apache.dubbo.samples;

import java.io.Serializable;

/** A provider's answer to {@link GreetingService#greet}, sent as a hessian2 object. */
public class Greeting implements Serializable {
  private static final long serialVersionUID = 1L;
  private String message;
  private String version;
  private Person person;

  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }
  public String getVersion() { return version; }
  public void setVersion(String version) { this.version = version; }
  public Person getPerson() { return person; }
  public void setPerson(Person person) { this.person = person; }
}
