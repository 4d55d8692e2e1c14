package org.apache.dubbo.samples;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** A caller, sent as a hessian2 object. */
public class Person implements Serializable {
  private static final long serialVersionUID = 1L;
  private String name;
  private int age;
  private List<String> tags = new ArrayList<>();

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public int getAge() { return age; }
  public void setAge(int age) { this.age = age; }
  public List<String> getTags() { return tags; }
  public void setTags(List<String> tags) { this.tags = tags; }
}
